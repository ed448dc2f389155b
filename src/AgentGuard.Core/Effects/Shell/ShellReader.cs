using System.Text;
using static AgentGuard.Effects.Shell.ShellSyntax;

namespace AgentGuard.Effects.Shell;

/// <summary>
/// Reads shell source into <see cref="ShellSyntax"/> nodes: a recursive-descent reader over the
/// characters, since the shell's tokens depend on where they are (a <c>}</c> is a word or a
/// keyword, <c>#</c> starts a comment only at a word's start). Total: every loop consumes input
/// or stops, nesting is bounded by <see cref="MaxDepth"/>, and errors are recorded, not thrown.
/// </summary>
internal sealed class ShellReader
{
    /// <summary>How deeply commands, substitutions and parameter expansions may nest.</summary>
    public const int MaxDepth = 64;

    private const int MaxErrors = 32;

    private string _s;
    private List<string> _errors;
    private AnsiCDecoder _ansiC;
    private const int MaxPooledCapacity = 8192;

    // Builders and lists are reused across parses on a thread: a typical command then allocates
    // only its nodes. One look-up of the thread's pools per reader, not one per word.
    [ThreadStatic]
    private static Pools? t_pools;

    private readonly Pools _pools;

    private List<PendingHereDocument>? _pending;

    // A reused reader's script list, kept for its next source; _next is the one ReadScript takes.
    private CommandList? _kept;
    private CommandList? _next;
    private int _pos;
    private int _depth;
    private bool _aborted;

    public ShellReader(string source, List<string> errors, AnsiCDecoder ansiC, int depth = 0)
    {
        _s = source;
        _errors = errors;
        _ansiC = ansiC;
        _depth = depth;
        _pools = t_pools ??= new Pools();
    }

    /// <summary>Makes this reader (a thread's reused one) read <paramref name="source"/> from its start.</summary>
    public ShellReader Reuse(string source, List<string> errors, AnsiCDecoder ansiC)
    {
        _s = source;
        _errors = errors;
        _ansiC = ansiC;
        _pending?.Clear();
        _pos = 0;
        _depth = 0;
        _aborted = false;
        _kept ??= new CommandList();
        _kept.Clear();
        _next = _kept;
        return this;
    }

    /// <summary>Drops the references to the last source (the agent's data) once the reader is done.</summary>
    public void Release()
    {
        _s = string.Empty;
        _errors = null!;
        _pending?.Clear();
        _kept?.Clear();
        _next = null;
    }

    private enum WordMode
    {
        Normal,
        ParameterArgument,
        ParameterPattern,
    }

    private bool AtEnd => _pos >= _s.Length;

    private char Current => _pos < _s.Length ? _s[_pos] : '\0';

    /// <summary>Reads the whole source as a script.</summary>
    public CommandList ReadScript()
    {
        var script = _next ?? new CommandList();
        _next = null;
        if (_depth > MaxDepth)
        {
            Error("nesting deeper than " + MaxDepth);
            return script;
        }

        while (true)
        {
            ReadListInto(script);
            if (AtEnd || _aborted)
            {
                break;
            }

            Error($"unexpected '{Describe()}'");
            SkipUnexpected();
        }

        if (_pending is { Count: > 0 })
        {
            Error($"here-document '{_pending[0].Delimiter}' has no body");
            _pending.Clear();
        }

        return script;
    }

    /// <summary>Reads the source as the body of an unquoted here-document: only <c>$</c>, <c>`</c> and <c>\</c> are special.</summary>
    public Word ReadHereDocumentBody()
    {
        var b = RentWordBuilder();
        if (_depth <= MaxDepth)
        {
            ReadQuotedInto(b, '\0', '\0', hereDocument: true);
        }
        else
        {
            Error("nesting deeper than " + MaxDepth);
        }

        return Finish(b) ?? new Word([new Literal(string.Empty) { Quoted = true }]);
    }

    // ---- lists and commands ----

    private CommandList ReadList()
    {
        var list = new CommandList();
        ReadListInto(list);
        return list;
    }

    private void ReadListInto(CommandList list)
    {
        var join = ListJoin.Sequence;
        while (!_aborted)
        {
            SkipSpaceAndNewlines();
            if (AtListEnd())
            {
                if (join != ListJoin.Sequence)
                {
                    Error("expected a command after '&&' or '||'");
                }

                return;
            }

            var start = _pos;
            var command = ReadPipeline();
            if (command is null)
            {
                if (_pos == start)
                {
                    return;
                }

                continue;
            }

            list.Add(command, join);
            SkipBlanks();
            if (AtEnd)
            {
                return;
            }

            var c = Current;
            if (c == '&' && Peek(1) == '&')
            {
                _pos += 2;
                join = ListJoin.And;
            }
            else if (c == '|' && Peek(1) == '|')
            {
                _pos += 2;
                join = ListJoin.Or;
            }
            else if (c == ';' && Peek(1) is not ';' and not '&')
            {
                _pos++;
                join = ListJoin.Sequence;
            }
            else if (c == '&')
            {
                _pos++;
                join = ListJoin.Sequence;
            }
            else if (c == '\n' || c == '#')
            {
                join = ListJoin.Sequence;
            }
            else
            {
                return;
            }
        }
    }

    private bool AtListEnd()
    {
        if (AtEnd || _aborted)
        {
            return true;
        }

        var c = Current;
        if (c == ')' || (c == ';' && Peek(1) is ';' or '&'))
        {
            return true;
        }

        return PeekReserved() is "then" or "elif" or "else" or "fi" or "do" or "done" or "esac" or "}";
    }

    private Command? ReadPipeline()
    {
        SkipBlanks();
        if (PeekReserved() == "time")
        {
            _pos += 4;
            SkipBlanks();
            if (Current == '-' && Peek(1) == 'p' && IsDelimiter(Peek(2)))
            {
                _pos += 2;
            }

            SkipBlanks();
        }

        while (PeekReserved() == "!")
        {
            _pos++;
            SkipBlanks();
        }

        var first = ReadCommand();
        if (first is null)
        {
            return null;
        }

        if (!(Current == '|' && Peek(1) != '|'))
        {
            return first;
        }

        var commands = _pools.CommandLists.Count > 0 ? _pools.CommandLists.Pop() : new List<Command>(4);
        commands.Add(first);
        while (Current == '|' && Peek(1) != '|' && !_aborted)
        {
            _pos++;
            if (Current == '&')
            {
                _pos++;
            }

            SkipSpaceAndNewlines();
            var next = ReadCommand();
            if (next is null)
            {
                Error("expected a command after '|'");
                break;
            }

            commands.Add(next);
            SkipBlanks();
        }

        var pipeline = new Pipeline(commands.ToArray());
        commands.Clear();
        _pools.CommandLists.Push(commands);
        return pipeline;
    }

    private Command? ReadCommand()
    {
        if (!Enter())
        {
            return null;
        }

        try
        {
            SkipBlanks();
            if (AtEnd)
            {
                return null;
            }

            Command? command;
            if (Current == '(')
            {
                command = Peek(1) == '(' ? ReadArithmeticCommand() : null;
                if (command is null)
                {
                    _pos++;
                    var body = ReadList();
                    Expect(')');
                    command = new Subshell(body);
                }
            }
            else
            {
                switch (PeekReserved())
                {
                    case "{":
                        _pos++;
                        var body = ReadList();
                        ExpectReserved("}");
                        command = new Group(body);
                        break;
                    case "[[":
                        command = ReadTest();
                        break;
                    case "if":
                        command = ReadIf();
                        break;
                    case "for":
                    case "select":
                        command = ReadFor();
                        break;
                    case "while":
                    case "until":
                        _pos += 5;
                        var condition = ReadList();
                        command = new While(condition, ReadDoGroup());
                        break;
                    case "case":
                        command = ReadCase();
                        break;
                    case "function":
                        command = ReadFunction();
                        break;
                    case "coproc":
                        _pos += 6;
                        SkipBlanks();
                        SkipCoprocessName();
                        return ReadCommand();
                    case "then" or "elif" or "else" or "fi" or "do" or "done" or "esac" or "}" or "in":
                        return null;
                    default:
                        return ReadSimple();
                }
            }

            ReadTrailingRedirections(command);
            return command;
        }
        finally
        {
            _depth--;
        }
    }

    private void ReadTrailingRedirections(Command command)
    {
        while (!_aborted)
        {
            SkipBlanks();
            if (!TryReadRedirection(out var redirection))
            {
                return;
            }

            (command.Redirections ??= []).Add(redirection);
        }
    }

    private void SkipCoprocessName()
    {
        // coproc NAME { ...; } or coproc NAME ( ... ): the name is not a command.
        var i = _pos;
        while (i < _s.Length && (char.IsAsciiLetterOrDigit(_s[i]) || _s[i] == '_'))
        {
            i++;
        }

        var j = i;
        while (j < _s.Length && _s[j] is ' ' or '\t')
        {
            j++;
        }

        if (i > _pos && j > i && j < _s.Length && (_s[j] == '(' || (_s[j] == '{' && IsDelimiter(j + 1 < _s.Length ? _s[j + 1] : '\0'))))
        {
            _pos = j;
        }
    }

    private Command? ReadSimple()
    {
        List<Assignment>? assignments = null;
        var words = RentWords();

        // While every word is plain text that expands to itself, or to a glob of itself (most
        // commands), the words are made as they will run, and the evaluator takes them as they
        // are: no syntax word is built for them.
        var expanded = RentExpanded();
        var allExpanded = true;
        List<Redirection>? redirections = null;
        while (!_aborted)
        {
            SkipBlanks();
            if (AtEnd)
            {
                break;
            }

            var c = Current;
            if (c == '#')
            {
                SkipComment();
                break;
            }

            if (TryReadRedirection(out var redirection))
            {
                (redirections ??= []).Add(redirection);
                continue;
            }

            if (c is '\n' or ';' or '&' or '|' or ')')
            {
                break;
            }

            var count = allExpanded ? expanded.Count : words.Count;
            if (c == '(')
            {
                if (count == 1 && assignments is null && redirections is null && (allExpanded ? (expanded[0].Quoted ? null : expanded[0].Text) : LiteralText(words[0])) is { } name && TryReadEmptyParentheses())
                {
                    ReturnWords(words);
                    ReturnExpanded(expanded);
                    SkipSpaceAndNewlines();
                    var body = ReadCommand();
                    return new FunctionDefinition(name, body ?? CommandList.Empty);
                }

                break;
            }

            if (count == 0 && TryReadAssignment(out var assignment))
            {
                (assignments ??= []).Add(assignment);
                continue;
            }

            if (TryReadPlainText() is { } plain)
            {
                if (allExpanded && !plain.AsSpan().ContainsAny(NotReady))
                {
                    expanded.Add(new ReadyWord(plain, Quoted: false));
                }
                else
                {
                    allExpanded = allExpanded && Unready(expanded, words);
                    words.Add(new Word(plain));
                }

                continue;
            }

            if (c is '"' or '\'' && TryReadQuotedText() is { } quotedText)
            {
                if (allExpanded)
                {
                    expanded.Add(new ReadyWord(quotedText, Quoted: true));
                }
                else
                {
                    words.Add(QuotedWord(quotedText));
                }

                continue;
            }

            var word = ReadWord(WordMode.Normal, quoted: false, plainTried: true);
            if (word is null)
            {
                break;
            }

            allExpanded = allExpanded && Unready(expanded, words);
            words.Add(word);
        }

        ShellWord[]? expandedArray = null;
        if (allExpanded && expanded.Count > 0)
        {
            expandedArray = new ShellWord[expanded.Count];
            for (var i = 0; i < expandedArray.Length; i++)
            {
                // Unquoted * and ? make a glob of the word, written as it is (a plain word has no backslash to escape).
                var (text, quoted) = expanded[i];
                expandedArray[i] = new ShellWord(text, IsPattern: !quoted && text.AsSpan().IndexOfAny('*', '?') >= 0);
            }
        }

        var wordArray = words.Count == 0 ? [] : words.ToArray();
        ReturnWords(words);
        ReturnExpanded(expanded);
        if (wordArray.Length == 0 && expandedArray is null && assignments is null && redirections is null)
        {
            return null;
        }

        return new SimpleCommand(assignments?.ToArray() ?? [], wordArray, expandedArray) { Redirections = redirections };
    }

    private bool TryReadEmptyParentheses()
    {
        var i = _pos + 1;
        while (i < _s.Length && _s[i] is ' ' or '\t')
        {
            i++;
        }

        if (i < _s.Length && _s[i] == ')')
        {
            _pos = i + 1;
            return true;
        }

        return false;
    }

    private If ReadIf()
    {
        _pos += 2;
        var clauses = new List<(CommandList, CommandList)>();
        CommandList? otherwise = null;
        var condition = ReadList();
        ExpectReserved("then");
        clauses.Add((condition, ReadList()));
        while (!_aborted)
        {
            var word = PeekReserved();
            if (word == "elif")
            {
                _pos += 4;
                condition = ReadList();
                ExpectReserved("then");
                clauses.Add((condition, ReadList()));
            }
            else if (word == "else")
            {
                _pos += 4;
                otherwise = ReadList();
            }
            else
            {
                break;
            }
        }

        ExpectReserved("fi");
        return new If(clauses, otherwise);
    }

    private Command ReadFor()
    {
        _pos += PeekReserved()!.Length;
        SkipBlanks();
        if (Current == '(' && Peek(1) == '(')
        {
            var end = ScanArithmetic(_pos + 2);
            Word header;
            if (end < 0)
            {
                Error("unterminated '(('");
                header = Word.Empty;
                _pos = _s.Length;
            }
            else
            {
                header = ArithmeticWord(_s[(_pos + 2)..end]);
                _pos = end + 2;
            }

            SkipBlanks();
            if (Current == ';')
            {
                _pos++;
            }

            SkipSpaceAndNewlines();
            return new ArithmeticFor(header, ReadDoGroup());
        }

        var nameStart = _pos;
        while (!AtEnd && (char.IsAsciiLetterOrDigit(Current) || Current == '_'))
        {
            _pos++;
        }

        var name = _s[nameStart.._pos];
        if (name.Length == 0)
        {
            Error("expected a variable name after 'for'");
            ReadWord(WordMode.Normal, quoted: false);
        }

        SkipSpaceAndNewlines();
        List<Word>? items = null;
        if (PeekReserved() == "in")
        {
            _pos += 2;
            items = [];
            while (!_aborted)
            {
                SkipBlanks();
                if (Current is ';' or '\n')
                {
                    _pos++;
                    if (_s[_pos - 1] == '\n')
                    {
                        ReadPendingHereDocuments();
                    }

                    break;
                }

                if (Current == '#')
                {
                    SkipComment();
                    continue;
                }

                var word = ReadWord(WordMode.Normal, quoted: false);
                if (word is null)
                {
                    break;
                }

                items.Add(word);
            }
        }
        else if (Current == ';')
        {
            _pos++;
        }

        SkipSpaceAndNewlines();
        return new For(name, items, ReadDoGroup());
    }

    private CommandList ReadDoGroup()
    {
        SkipSpaceAndNewlines();
        var word = PeekReserved();
        if (word == "do")
        {
            _pos += 2;
            var body = ReadList();
            ExpectReserved("done");
            return body;
        }

        if (word == "{")
        {
            _pos++;
            var body = ReadList();
            ExpectReserved("}");
            return body;
        }

        Error("expected 'do'");
        return CommandList.Empty;
    }

    private Case ReadCase()
    {
        _pos += 4;
        SkipBlanks();
        var subject = ReadWord(WordMode.Normal, quoted: false) ?? Word.Empty;
        SkipSpaceAndNewlines();
        var branches = new List<(List<Word>, CommandList)>();
        ExpectReserved("in");
        while (!_aborted)
        {
            SkipSpaceAndNewlines();
            if (PeekReserved() == "esac")
            {
                _pos += 4;
                return new Case(subject, branches);
            }

            if (AtEnd)
            {
                break;
            }

            var start = _pos;
            if (Current == '(')
            {
                _pos++;
            }

            var patterns = new List<Word>();
            while (!_aborted)
            {
                SkipBlanks();
                var pattern = ReadWord(WordMode.Normal, quoted: false);
                if (pattern is null)
                {
                    break;
                }

                patterns.Add(pattern);
                SkipBlanks();
                if (Current == '|')
                {
                    _pos++;
                    continue;
                }

                break;
            }

            if (Current != ')')
            {
                Error("expected ')' after a case pattern");
                if (_pos == start)
                {
                    break;
                }
            }
            else
            {
                _pos++;
            }

            var body = ReadList();
            branches.Add((patterns, body));
            SkipSpaceAndNewlines();
            if (Current == ';' && Peek(1) == ';' && Peek(2) == '&')
            {
                _pos += 3;
            }
            else if (Current == ';' && Peek(1) is ';' or '&')
            {
                _pos += 2;
            }

            if (_pos == start)
            {
                break;
            }
        }

        ExpectReserved("esac");
        return new Case(subject, branches);
    }

    private Command ReadFunction()
    {
        _pos += 8;
        SkipBlanks();
        var nameStart = _pos;
        while (!AtEnd && !IsDelimiter(Current) && Current is not '\'' and not '"' and not '$' and not '`' and not '\\')
        {
            _pos++;
        }

        var name = _s[nameStart.._pos];
        SkipBlanks();
        if (Current == '(')
        {
            TryReadEmptyParentheses();
        }

        SkipSpaceAndNewlines();
        return new FunctionDefinition(name, ReadCommand() ?? CommandList.Empty);
    }

    private Test ReadTest()
    {
        _pos += 2;
        var words = new List<Word>();
        while (!_aborted)
        {
            SkipSpaceAndNewlines();
            if (AtEnd)
            {
                Error("expected ']]'");
                break;
            }

            if (Current == ']' && Peek(1) == ']' && IsDelimiter(Peek(2)))
            {
                _pos += 2;
                break;
            }

            if (Current is '(' or ')' or '!' or '<' or '>' or '&' or '|' or ';')
            {
                _pos++;
                continue;
            }

            var word = ReadWord(WordMode.Normal, quoted: false);
            if (word is null)
            {
                _pos++;
                continue;
            }

            words.Add(word);
        }

        return new Test(words);
    }

    private Command? ReadArithmeticCommand()
    {
        var end = ScanArithmetic(_pos + 2);
        if (end < 0)
        {
            return null;
        }

        var expression = ArithmeticWord(_s[(_pos + 2)..end]);
        _pos = end + 2;
        return new Test([new Word([new Arithmetic(expression)])]);
    }

    // ---- redirections and here-documents ----

    private bool TryReadRedirection(out Redirection redirection)
    {
        redirection = null!;
        var p = _pos;
        if (p >= _s.Length || !RedirectionStarts.Contains(_s[p]))
        {
            return false;
        }

        var descriptor = -1;
        var digitsEnd = p;
        while (digitsEnd < _s.Length && char.IsAsciiDigit(_s[digitsEnd]))
        {
            digitsEnd++;
        }

        if (digitsEnd > p && digitsEnd < _s.Length && _s[digitsEnd] is '<' or '>')
        {
            descriptor = digitsEnd - p > 4 ? 9999 : int.Parse(_s.AsSpan(p, digitsEnd - p), System.Globalization.CultureInfo.InvariantCulture);
            p = digitsEnd;
        }
        else if (p < _s.Length && _s[p] == '{')
        {
            var close = p + 1;
            while (close < _s.Length && (char.IsAsciiLetterOrDigit(_s[close]) || _s[close] == '_'))
            {
                close++;
            }

            if (close > p + 1 && close + 1 < _s.Length && _s[close] == '}' && _s[close + 1] is '<' or '>')
            {
                descriptor = 10;
                p = close + 1;
            }
        }

        if (p >= _s.Length)
        {
            return false;
        }

        RedirectionOperator op;
        var stripTabs = false;
        var c = _s[p];
        var n = p + 1 < _s.Length ? _s[p + 1] : '\0';
        if (c == '&' && n == '>' && descriptor == -1)
        {
            p += 2;
            op = RedirectionOperator.WriteBoth;
            if (p < _s.Length && _s[p] == '>')
            {
                p++;
                op = RedirectionOperator.AppendBoth;
            }
        }
        else if (c == '>')
        {
            if (n == '(')
            {
                return false;
            }

            p++;
            (op, p) = n switch
            {
                '>' => (RedirectionOperator.Append, p + 1),
                '|' => (RedirectionOperator.Clobber, p + 1),
                '&' => (RedirectionOperator.DuplicateOutput, p + 1),
                _ => (RedirectionOperator.Write, p),
            };
        }
        else if (c == '<')
        {
            if (n == '(')
            {
                return false;
            }

            p++;
            if (n == '<')
            {
                p++;
                if (p < _s.Length && _s[p] == '<')
                {
                    p++;
                    op = RedirectionOperator.HereString;
                }
                else
                {
                    op = RedirectionOperator.HereDocument;
                    if (p < _s.Length && _s[p] == '-')
                    {
                        p++;
                        stripTabs = true;
                    }
                }
            }
            else
            {
                (op, p) = n switch
                {
                    '>' => (RedirectionOperator.ReadWrite, p + 1),
                    '&' => (RedirectionOperator.DuplicateInput, p + 1),
                    _ => (RedirectionOperator.Read, p),
                };
            }
        }
        else
        {
            return false;
        }

        _pos = p;
        SkipBlanks();
        if (op == RedirectionOperator.HereDocument)
        {
            var (delimiter, quoted) = ReadHereDocumentDelimiter();
            redirection = new Redirection(descriptor, op, Word.Empty);
            (_pending ??= []).Add(new PendingHereDocument(redirection, delimiter, quoted, stripTabs));
            return true;
        }

        var target = ReadWord(WordMode.Normal, quoted: false);
        if (target is null)
        {
            Error("expected a file name after a redirection");
            target = Word.Empty;
        }

        redirection = new Redirection(descriptor, op, target);
        return true;
    }

    /// <summary>What a redirection starts with: a descriptor's digits, <c>{name}</c>, <c>&amp;&gt;</c>, <c>&lt;</c> or <c>&gt;</c>.</summary>
    private static readonly System.Buffers.SearchValues<char> RedirectionStarts = System.Buffers.SearchValues.Create("0123456789{&<>");

    private (string Delimiter, bool Quoted) ReadHereDocumentDelimiter()
    {
        var sb = Rent();
        var quoted = false;
        while (!AtEnd && !IsDelimiter(Current))
        {
            var c = Current;
            if (c is '\'' or '"')
            {
                quoted = true;
                var close = _s.IndexOf(c, _pos + 1);
                if (close < 0)
                {
                    Error("unterminated quote in a here-document delimiter");
                    close = _s.Length;
                }

                sb.Append(_s, _pos + 1, close - _pos - 1);
                _pos = Math.Min(close + 1, _s.Length);
            }
            else if (c == '\\' && _pos + 1 < _s.Length)
            {
                quoted = true;
                sb.Append(_s[_pos + 1]);
                _pos += 2;
            }
            else if (c == '$' && Peek(1) is '\'' or '"')
            {
                _pos++;
            }
            else
            {
                sb.Append(c);
                _pos++;
            }
        }

        if (sb.Length == 0 && !quoted)
        {
            Error("expected a here-document delimiter");
        }

        return (Return(sb), quoted);
    }

    private void ReadPendingHereDocuments()
    {
        if (_pending is not { Count: > 0 })
        {
            return;
        }

        foreach (var pending in _pending)
        {
            var body = Rent();
            var found = false;
            while (!AtEnd)
            {
                var lineEnd = _s.IndexOf('\n', _pos);
                var next = lineEnd < 0 ? _s.Length : lineEnd + 1;
                var line = _s.AsSpan(_pos, (lineEnd < 0 ? _s.Length : lineEnd) - _pos);
                if (pending.StripTabs)
                {
                    line = line.TrimStart('\t');
                }

                _pos = next;
                if (line.SequenceEqual(pending.Delimiter))
                {
                    found = true;
                    break;
                }

                body.Append(line);
                if (lineEnd >= 0)
                {
                    body.Append('\n');
                }
            }

            if (!found)
            {
                Error($"here-document '{pending.Delimiter}' is not terminated");
            }

            var text = Return(body);
            pending.Redirection.Target = pending.Quoted || text.AsSpan().IndexOfAny('$', '`', '\\') < 0
                ? new Word([new Literal(text) { Quoted = true }])
                : new ShellReader(text, _errors, _ansiC, _depth + 1).ReadHereDocumentBody();
        }

        _pending.Clear();
    }

    // ---- words ----

    private bool TryReadAssignment(out Assignment assignment)
    {
        assignment = null!;
        var i = _pos;
        if (i >= _s.Length || !(char.IsAsciiLetter(_s[i]) || _s[i] == '_'))
        {
            return false;
        }

        while (i < _s.Length && (char.IsAsciiLetterOrDigit(_s[i]) || _s[i] == '_'))
        {
            i++;
        }

        var nameEnd = i;
        if (i < _s.Length && _s[i] == '[')
        {
            var close = _s.IndexOf(']', i);
            if (close < 0)
            {
                return false;
            }

            i = close + 1;
        }

        var append = false;
        if (i < _s.Length && _s[i] == '+')
        {
            append = true;
            i++;
        }

        if (i >= _s.Length || _s[i] != '=')
        {
            return false;
        }

        var name = _s[_pos..nameEnd];
        _pos = i + 1;
        Word value;
        if (Current == '(')
        {
            _pos++;
            var parts = new List<Part>();
            while (!_aborted)
            {
                SkipSpaceAndNewlines();
                if (AtEnd || Current == ')')
                {
                    break;
                }

                var element = ReadWord(WordMode.Normal, quoted: false);
                if (element is null)
                {
                    _pos++;
                    continue;
                }

                if (parts.Count > 0)
                {
                    parts.Add(new Literal(" ") { Quoted = true });
                }

                parts.AddRange(element.Parts);
            }

            Expect(')');
            value = new Word(parts.ToArray());
        }
        else
        {
            value = ReadWord(WordMode.Normal, quoted: false) ?? Word.Empty;
        }

        assignment = new Assignment(name, value, append);
        return true;
    }

    private Word? ReadWord(WordMode mode, bool quoted, bool plainTried = false)
    {
        if (mode == WordMode.Normal && !quoted && !plainTried && TryReadPlainWord() is { } plain)
        {
            return plain;
        }

        var b = RentWordBuilder();
        var start = _pos;
        if (quoted)
        {
            ReadQuotedInto(b, '}', mode == WordMode.ParameterPattern ? '/' : '}', hereDocument: false);
        }
        else
        {
            ReadUnquotedInto(b, mode);
        }

        var word = Finish(b);
        return _pos == start && word is null ? null : word ?? Word.Empty;
    }

    /// <summary>Reads a word of plain characters only (most words are), without building it part by part.</summary>
    private Word? TryReadPlainWord() => TryReadPlainText() is { } text ? new Word(text) : null;

    /// <summary>The text of a word of plain characters only at the current position (read past), or null.</summary>
    private string? TryReadPlainText()
    {
        var rest = _s.AsSpan(_pos);
        var length = rest.IndexOfAny(NotPlain);
        if (length < 0)
        {
            length = rest.Length;
        }
        else if (length == 0 || rest[length] is not (' ' or '\t' or '\n' or ';' or '&' or '|' or ')') && !(rest[length] is '<' or '>' && (length + 1 >= rest.Length || rest[length + 1] != '(')))
        {
            return null;
        }

        if (length == 0)
        {
            return null;
        }

        var text = _s.Substring(_pos, length);
        _pos += length;
        return text;
    }

    /// <summary>
    /// The text of a word that is one quoted string and nothing else (<c>'...'</c>, or <c>"..."</c>
    /// without <c>$</c>, <c>`</c> or <c>\</c>) at the current position (read past), or null.
    /// </summary>
    private string? TryReadQuotedText()
    {
        var quote = _s[_pos];
        var close = _s.IndexOf(quote, _pos + 1);
        if (close < 0)
        {
            return null;
        }

        var inner = _s.AsSpan(_pos + 1, close - _pos - 1);
        if (quote == '"' && inner.ContainsAny(DoubleQuoteSpecial))
        {
            return null;
        }

        // The word must end at the quote: a blank or an operator follows (a '(' too: after quotes it is no extended glob).
        var end = close + 1;
        if (end < _s.Length && _s[end] is not (' ' or '\t' or '\n' or ';' or '&' or '|' or ')' or '(') && !(_s[end] is '<' or '>' && (end + 1 >= _s.Length || _s[end + 1] != '(')))
        {
            return null;
        }

        _pos = end;
        return inner.IsEmpty ? string.Empty : new string(inner);
    }

    private static readonly System.Buffers.SearchValues<char> DoubleQuoteSpecial = System.Buffers.SearchValues.Create("$`\\");

    /// <summary>The syntax word of a word that is one quoted string, as the word builder makes it.</summary>
    private static Word QuotedWord(string text) => new([new Literal(text) { Quoted = true }]);

    /// <summary>Turns the ready words read so far into syntax words, when a word that is not ready comes; returns false.</summary>
    private static bool Unready(List<ReadyWord> expanded, List<Word> words)
    {
        foreach (var (text, quoted) in expanded)
        {
            words.Add(quoted ? QuotedWord(text) : new Word(text));
        }

        return false;
    }

    /// <summary>A word read as it will run: plain text, or one quoted string.</summary>
    private readonly record struct ReadyWord(string Text, bool Quoted);

    /// <summary>What makes a plain word expand to more than itself or a glob of itself: brackets (a glob only when closed), extended globs, braces, a tilde.</summary>
    private static readonly System.Buffers.SearchValues<char> NotReady = System.Buffers.SearchValues.Create("[({~");

    private static readonly System.Buffers.SearchValues<char> NotPlain = System.Buffers.SearchValues.Create(" \t\n;&|()<>'\"\\$`");

    private void ReadUnquotedInto(WordBuilder b, WordMode mode)
    {
        var normal = mode == WordMode.Normal;
        while (!AtEnd && !_aborted)
        {
            var c = Current;
            switch (c)
            {
                case ' ' or '\t' or '\n' or ';' or '&' or '|' or ')':
                    if (normal)
                    {
                        return;
                    }

                    b.Append(c, quoted: false);
                    _pos++;
                    break;
                case '(':
                    if (normal && b.LastUnquoted is '?' or '*' or '+' or '@' or '!')
                    {
                        ReadExtendedGlob(b);
                    }
                    else if (normal)
                    {
                        return;
                    }
                    else
                    {
                        b.Append(c, quoted: false);
                        _pos++;
                    }

                    break;
                case '<' or '>':
                    if (normal && Peek(1) == '(')
                    {
                        ReadProcessSubstitution(b);
                    }
                    else if (normal)
                    {
                        return;
                    }
                    else
                    {
                        b.Append(c, quoted: false);
                        _pos++;
                    }

                    break;
                case '}':
                    if (!normal)
                    {
                        return;
                    }

                    b.Append(c, quoted: false);
                    _pos++;
                    break;
                case '/':
                    if (mode == WordMode.ParameterPattern)
                    {
                        return;
                    }

                    b.Append(c, quoted: false);
                    _pos++;
                    break;
                case '\\':
                    if (Peek(1) == '\n')
                    {
                        _pos += 2;
                    }
                    else if (_pos + 1 < _s.Length)
                    {
                        b.Append(_s[_pos + 1], quoted: true);
                        _pos += 2;
                    }
                    else
                    {
                        b.Append('\\', quoted: true);
                        _pos++;
                    }

                    break;
                case '\'':
                    ReadSingleQuoted(b);
                    break;
                case '"':
                    _pos++;
                    b.MarkQuoted();
                    ReadQuotedInto(b, '"', '"', hereDocument: false);
                    Expect('"', "unterminated double quote");
                    break;
                case '$':
                    ReadDollar(b, quoted: false);
                    break;
                case '`':
                    ReadBackquote(b, quoted: false);
                    break;
                default:
                    b.Append(c, quoted: false);
                    _pos++;
                    break;
            }
        }
    }

    /// <summary>Reads double-quoted text (or a here-document body) up to <paramref name="stop1"/> or <paramref name="stop2"/>, which it leaves.</summary>
    private void ReadQuotedInto(WordBuilder b, char stop1, char stop2, bool hereDocument)
    {
        while (!AtEnd && !_aborted)
        {
            var c = Current;
            if ((c == stop1 || c == stop2) && stop1 != '\0')
            {
                return;
            }

            switch (c)
            {
                case '\\':
                    var n = Peek(1);
                    if (n == '\n')
                    {
                        _pos += 2;
                    }
                    else if (n is '$' or '`' or '\\' || (n == '"' && !hereDocument) || (n != '\0' && (n == stop1 || n == stop2) && stop1 != '"'))
                    {
                        b.Append(n, quoted: true);
                        _pos += 2;
                    }
                    else
                    {
                        b.Append('\\', quoted: true);
                        _pos++;
                    }

                    break;
                case '$':
                    ReadDollar(b, quoted: true);
                    break;
                case '`':
                    ReadBackquote(b, quoted: true);
                    break;
                default:
                    b.Append(c, quoted: true);
                    _pos++;
                    break;
            }
        }
    }

    private void ReadSingleQuoted(WordBuilder b)
    {
        var close = _s.IndexOf('\'', _pos + 1);
        if (close < 0)
        {
            Error("unterminated single quote");
            close = _s.Length;
        }

        b.MarkQuoted();
        b.Append(_s.AsSpan(_pos + 1, close - _pos - 1), quoted: true);
        _pos = Math.Min(close + 1, _s.Length);
    }

    private void ReadExtendedGlob(WordBuilder b)
    {
        var depth = 0;
        while (!AtEnd)
        {
            var c = Current;
            if (c == '\\' && _pos + 1 < _s.Length)
            {
                b.Append(_s[_pos + 1], quoted: true);
                _pos += 2;
                continue;
            }

            b.Append(c, quoted: false);
            _pos++;
            if (c == '(')
            {
                depth++;
            }
            else if (c == ')' && --depth == 0)
            {
                return;
            }
        }

        Error("unterminated extended glob");
    }

    private void ReadProcessSubstitution(WordBuilder b)
    {
        _pos += 2;
        if (!Enter())
        {
            _depth--;
            return;
        }

        try
        {
            var body = ReadList();
            Expect(')', "unterminated process substitution");
            b.Add(new ProcessSubstitution(body));
        }
        finally
        {
            _depth--;
        }
    }

    private void ReadDollar(WordBuilder b, bool quoted)
    {
        var n = Peek(1);
        switch (n)
        {
            case '\'' when !quoted:
                ReadAnsiC(b);
                return;
            case '"' when !quoted:
                _pos += 2;
                b.MarkQuoted();
                ReadQuotedInto(b, '"', '"', hereDocument: false);
                Expect('"', "unterminated double quote");
                return;
            case '{':
                ReadBraceParameter(b, quoted);
                return;
            case '(':
                if (Peek(2) == '(')
                {
                    var end = ScanArithmetic(_pos + 3);
                    if (end >= 0)
                    {
                        var expression = ArithmeticWord(_s[(_pos + 3)..end]);
                        _pos = end + 2;
                        b.Add(new Arithmetic(expression) { Quoted = quoted });
                        return;
                    }
                }

                ReadCommandSubstitution(b, quoted);
                return;
            case '[':
                var close = _s.IndexOf(']', _pos + 2);
                if (close < 0)
                {
                    Error("unterminated '$['");
                    close = _s.Length;
                }

                b.Add(new Arithmetic(ArithmeticWord(_s[(_pos + 2)..close])) { Quoted = quoted });
                _pos = Math.Min(close + 1, _s.Length);
                return;
        }

        if (char.IsAsciiLetter(n) || n == '_')
        {
            var start = _pos + 1;
            var i = start;
            while (i < _s.Length && (char.IsAsciiLetterOrDigit(_s[i]) || _s[i] == '_'))
            {
                i++;
            }

            b.Add(new Parameter(_s[start..i], ParameterOperator.None, false, null, null) { Quoted = quoted });
            _pos = i;
            return;
        }

        if (char.IsAsciiDigit(n) || n is '@' or '*' or '#' or '?' or '-' or '$' or '!')
        {
            b.Add(new Parameter(SpecialName(n), ParameterOperator.None, false, null, null) { Quoted = quoted });
            _pos += 2;
            return;
        }

        b.Append('$', quoted);
        _pos++;
    }

    private static string SpecialName(char c) => c switch
    {
        '@' => "@",
        '*' => "*",
        '#' => "#",
        '?' => "?",
        '-' => "-",
        '$' => "$",
        '!' => "!",
        '0' => "0",
        '1' => "1",
        '2' => "2",
        '3' => "3",
        _ => c.ToString(),
    };

    private void ReadAnsiC(WordBuilder b)
    {
        var start = _pos + 2;
        var i = start;
        while (i < _s.Length && _s[i] != '\'')
        {
            i += _s[i] == '\\' ? 2 : 1;
        }

        var end = Math.Min(i, _s.Length);
        if (i >= _s.Length)
        {
            Error("unterminated $'...' string");
        }

        var decoded = Rent();
        _ansiC.Decode(_s.AsSpan(start, end - start), decoded);
        b.MarkQuoted();
        b.Append(decoded, quoted: true);
        Release(decoded);
        _pos = Math.Min(end + 1, _s.Length);
    }

    private void ReadCommandSubstitution(WordBuilder b, bool quoted)
    {
        _pos += 2;
        if (!Enter())
        {
            _depth--;
            return;
        }

        try
        {
            var body = ReadList();
            SkipSpaceAndNewlines();
            Expect(')', "unterminated '$('");
            b.Add(new CommandSubstitution(body) { Quoted = quoted });
        }
        finally
        {
            _depth--;
        }
    }

    private void ReadBackquote(WordBuilder b, bool quoted)
    {
        var inner = Rent();
        var i = _pos + 1;
        var closed = false;
        while (i < _s.Length)
        {
            var c = _s[i];
            if (c == '`')
            {
                closed = true;
                i++;
                break;
            }

            if (c == '\\' && i + 1 < _s.Length && _s[i + 1] is '$' or '`' or '\\' || (c == '\\' && quoted && i + 1 < _s.Length && _s[i + 1] == '"'))
            {
                inner.Append(_s[i + 1]);
                i += 2;
                continue;
            }

            inner.Append(c);
            i++;
        }

        if (!closed)
        {
            Error("unterminated backquote");
        }

        _pos = i;
        var text = Return(inner);
        var body = new ShellReader(text, _errors, _ansiC, _depth + 1).ReadScript();
        b.Add(new CommandSubstitution(body) { Quoted = quoted });
    }

    private void ReadBraceParameter(WordBuilder b, bool quoted)
    {
        var open = _pos;
        _pos += 2;
        if (!Enter())
        {
            _depth--;
            return;
        }

        try
        {
            b.Add(ReadBraceParameterBody(quoted, open));
        }
        finally
        {
            _depth--;
        }
    }

    private Parameter ReadBraceParameterBody(bool quoted, int open)
    {
        var length = false;
        if (Current == '#' && Peek(1) is not '}' and not '\0' && !(Peek(1) is '-' or '=' or '?' or '+' or ':' or '#' or '%' or '/' && Peek(2) != '}'))
        {
            length = true;
            _pos++;
        }

        if (Current == '!' && Peek(1) != '}')
        {
            SkipBraced();
            return new Parameter("!", ParameterOperator.Unsupported, false, null, null) { Quoted = quoted };
        }

        var start = _pos;
        if (char.IsAsciiLetter(Current) || Current == '_')
        {
            while (!AtEnd && (char.IsAsciiLetterOrDigit(Current) || Current == '_'))
            {
                _pos++;
            }
        }
        else if (char.IsAsciiDigit(Current))
        {
            while (!AtEnd && char.IsAsciiDigit(Current))
            {
                _pos++;
            }
        }
        else if (Current is '@' or '*' or '#' or '?' or '-' or '$' or '!')
        {
            _pos++;
        }

        var name = _s[start.._pos];
        if (name.Length == 0)
        {
            Error($"bad substitution at offset {open}");
            SkipBraced();
            return new Parameter("", ParameterOperator.Unsupported, false, null, null) { Quoted = quoted };
        }

        if (Current == '[')
        {
            SkipBraced();
            return new Parameter(name, ParameterOperator.Unsupported, false, null, null) { Quoted = quoted };
        }

        if (Current == '}')
        {
            _pos++;
            return new Parameter(name, length ? ParameterOperator.Length : ParameterOperator.None, false, null, null) { Quoted = quoted };
        }

        if (length)
        {
            SkipBraced();
            return new Parameter(name, ParameterOperator.Unsupported, false, null, null) { Quoted = quoted };
        }

        var colon = false;
        if (Current == ':')
        {
            colon = true;
            _pos++;
            if (Current is not '-' and not '=' and not '?' and not '+')
            {
                SkipBraced();
                return new Parameter(name, ParameterOperator.Unsupported, false, null, null) { Quoted = quoted };
            }
        }

        ParameterOperator op;
        Word? replacement = null;
        var c = Current;
        _pos++;
        switch (c)
        {
            case '-':
                op = ParameterOperator.Default;
                break;
            case '=':
                op = ParameterOperator.Assign;
                break;
            case '?':
                op = ParameterOperator.Error;
                break;
            case '+':
                op = ParameterOperator.Alternative;
                break;
            case '#':
                op = ParameterOperator.RemoveSmallestPrefix;
                if (Current == '#')
                {
                    _pos++;
                    op = ParameterOperator.RemoveLargestPrefix;
                }

                break;
            case '%':
                op = ParameterOperator.RemoveSmallestSuffix;
                if (Current == '%')
                {
                    _pos++;
                    op = ParameterOperator.RemoveLargestSuffix;
                }

                break;
            case '/':
                op = ParameterOperator.ReplaceFirst;
                if (Current is '/' or '#' or '%')
                {
                    op = Current switch { '/' => ParameterOperator.ReplaceAll, '#' => ParameterOperator.ReplacePrefix, _ => ParameterOperator.ReplaceSuffix };
                    _pos++;
                }

                var pattern = ReadWord(WordMode.ParameterPattern, quoted) ?? Word.Empty;
                if (Current == '/')
                {
                    _pos++;
                    replacement = ReadWord(WordMode.ParameterArgument, quoted) ?? Word.Empty;
                }

                Expect('}', $"unterminated '${{' at offset {open}");
                return new Parameter(name, op, colon, pattern, replacement ?? Word.Empty) { Quoted = quoted };
            default:
                _pos--;
                SkipBraced();
                return new Parameter(name, ParameterOperator.Unsupported, false, null, null) { Quoted = quoted };
        }

        var argument = ReadWord(WordMode.ParameterArgument, quoted) ?? Word.Empty;
        Expect('}', $"unterminated '${{' at offset {open}");
        return new Parameter(name, op, colon, argument, null) { Quoted = quoted };
    }

    /// <summary>Skips to after the <c>}</c> that closes the current <c>${</c>.</summary>
    private void SkipBraced()
    {
        var depth = 1;
        while (!AtEnd)
        {
            var c = Current;
            _pos++;
            if (c == '\\')
            {
                _pos++;
            }
            else if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && --depth == 0)
            {
                return;
            }
        }

        _pos = _s.Length;
        Error("unterminated '${'");
    }

    /// <summary>The index of the <c>))</c> closing an arithmetic expression that starts at <paramref name="start"/>, or -1.</summary>
    private int ScanArithmetic(int start)
    {
        var depth = 0;
        for (var i = start; i < _s.Length; i++)
        {
            var c = _s[i];
            if (c == '\\')
            {
                i++;
            }
            else if (c == '(')
            {
                depth++;
            }
            else if (c == ')')
            {
                if (depth == 0)
                {
                    return i + 1 < _s.Length && _s[i + 1] == ')' ? i : -1;
                }

                depth--;
            }
        }

        return -1;
    }

    private Word ArithmeticWord(string text)
        => text.AsSpan().IndexOfAny('$', '`', '\\') < 0
            ? new Word([new Literal(text) { Quoted = true }])
            : new ShellReader(text, _errors, _ansiC, _depth + 1).ReadHereDocumentBody();

    private static string? LiteralText(Word word)
    {
        if (word.Parts.Length == 1 && word.Parts[0] is Literal { Quoted: false } literal)
        {
            return literal.Text;
        }

        return null;
    }

    // ---- characters ----

    private char Peek(int offset) => _pos + offset < _s.Length ? _s[_pos + offset] : '\0';

    private static bool IsDelimiter(char c) => c is '\0' or ' ' or '\t' or '\n' or ';' or '&' or '|' or '<' or '>' or '(' or ')';

    private static readonly System.Buffers.SearchValues<char> Delimiters = System.Buffers.SearchValues.Create("\0 \t\n;&|<>()");

    /// <summary>The first characters of the reserved words <see cref="PeekReserved"/> knows.</summary>
    private static readonly System.Buffers.SearchValues<char> ReservedStarts = System.Buffers.SearchValues.Create("itefsdwuc{}![");

    /// <summary>The reserved word at the current position, if the word there is one and unquoted.</summary>
    private string? PeekReserved()
    {
        if (_pos >= _s.Length || !ReservedStarts.Contains(_s[_pos]))
        {
            return null;
        }

        // A reserved word is at most 8 characters: a longer word (9 or more before a delimiter) is none.
        var word = _s.AsSpan(_pos, Math.Min(9, _s.Length - _pos));
        var length = word.IndexOfAny(Delimiters);
        if (length >= 0)
        {
            word = word[..length];
        }

        return word switch
        {
            "if" => "if",
            "then" => "then",
            "elif" => "elif",
            "else" => "else",
            "fi" => "fi",
            "for" => "for",
            "select" => "select",
            "in" => "in",
            "do" => "do",
            "done" => "done",
            "while" => "while",
            "until" => "until",
            "case" => "case",
            "esac" => "esac",
            "function" => "function",
            "coproc" => "coproc",
            "time" => "time",
            "{" => "{",
            "}" => "}",
            "!" => "!",
            "[[" => "[[",
            _ => null,
        };
    }

    private void ExpectReserved(string word)
    {
        SkipSpaceAndNewlines();
        if (PeekReserved() == word)
        {
            _pos += word.Length;
        }
        else if (!_aborted)
        {
            Error($"expected '{word}'");
        }
    }

    private void Expect(char c, string? message = null)
    {
        if (Current == c && !AtEnd)
        {
            _pos++;
        }
        else if (!_aborted)
        {
            Error(message ?? $"expected '{c}'");
        }
    }

    private void SkipBlanks()
    {
        while (!AtEnd)
        {
            var c = Current;
            if (c is ' ' or '\t')
            {
                _pos++;
            }
            else if (c == '\\' && Peek(1) == '\n')
            {
                _pos += 2;
            }
            else
            {
                return;
            }
        }
    }

    private void SkipSpaceAndNewlines()
    {
        while (!AtEnd)
        {
            SkipBlanks();
            if (Current == '#')
            {
                SkipComment();
            }
            else if (Current == '\n')
            {
                _pos++;
                ReadPendingHereDocuments();
            }
            else
            {
                return;
            }
        }
    }

    private void SkipComment()
    {
        var end = _s.IndexOf('\n', _pos);
        _pos = end < 0 ? _s.Length : end;
    }

    private string Describe()
    {
        var end = _pos;
        while (end < _s.Length && end - _pos < 10 && !char.IsWhiteSpace(_s[end]))
        {
            end++;
        }

        return end == _pos ? Current.ToString() : _s[_pos..end];
    }

    private void SkipUnexpected()
    {
        var reserved = PeekReserved();
        _pos += reserved?.Length ?? (Current == ';' && Peek(1) == ';' ? 2 : 1);
    }

    private bool Enter()
    {
        if (++_depth <= MaxDepth)
        {
            return true;
        }

        if (!_aborted)
        {
            Error($"nesting deeper than {MaxDepth}");
            _aborted = true;
        }

        _pos = _s.Length;
        return false;
    }

    private void Error(string message)
    {
        if (_errors.Count < MaxErrors)
        {
            _errors.Add(message + (message.Contains(" at offset ", StringComparison.Ordinal) ? "" : $" at offset {Math.Min(_pos, _s.Length)}"));
        }
    }

    private StringBuilder Rent()
        => _pools.Builders.Count > 0 ? _pools.Builders.Pop().Clear() : new StringBuilder(64);

    private string Return(StringBuilder sb)
    {
        var text = sb.ToString();
        Release(sb);
        return text;
    }

    private List<Word> RentWords() => _pools.WordLists.Count > 0 ? _pools.WordLists.Pop() : new List<Word>(8);

    private void ReturnWords(List<Word> words)
    {
        words.Clear();
        _pools.WordLists.Push(words);
    }

    private List<ReadyWord> RentExpanded() => _pools.ExpandedLists.Count > 0 ? _pools.ExpandedLists.Pop() : new List<ReadyWord>(8);

    private void ReturnExpanded(List<ReadyWord> words)
    {
        words.Clear();
        _pools.ExpandedLists.Push(words);
    }

    private void Release(StringBuilder sb)
    {
        if (sb.Capacity <= MaxPooledCapacity)
        {
            _pools.Builders.Push(sb.Clear());
        }
    }

    private WordBuilder RentWordBuilder()
        => _pools.WordBuilders.Count > 0 ? _pools.WordBuilders.Pop() : new WordBuilder(new StringBuilder(32));

    private Word? Finish(WordBuilder b)
    {
        b.Flush();
        var parts = b.Parts.Count == 0 ? null : b.Parts.ToArray();
        b.Reset();
        if (b.Literal.Capacity <= MaxPooledCapacity)
        {
            _pools.WordBuilders.Push(b);
        }

        return parts is null ? null : new Word(parts);
    }

    /// <summary>A thread's reusable builders and lists (stacks: readers nest through substitutions).</summary>
    private sealed class Pools
    {
        public Stack<StringBuilder> Builders { get; } = new();

        public Stack<WordBuilder> WordBuilders { get; } = new();

        public Stack<List<Word>> WordLists { get; } = new();

        public Stack<List<ReadyWord>> ExpandedLists { get; } = new();

        public Stack<List<Command>> CommandLists { get; } = new();
    }

    private sealed record PendingHereDocument(Redirection Redirection, string Delimiter, bool Quoted, bool StripTabs);

    /// <summary>Collects a word's parts, merging literal characters of the same quoting into one part.</summary>
    private sealed class WordBuilder(StringBuilder literal)
    {
        private bool _literalQuoted;
        private bool _quotedEmpty;

        public StringBuilder Literal { get; } = literal;

        public List<Part> Parts { get; } = [];

        public char LastUnquoted => Literal.Length > 0 && !_literalQuoted ? Literal[^1] : '\0';

        /// <summary>Notes that quotes were seen, so an empty <c>''</c> still makes a word.</summary>
        public void MarkQuoted() => _quotedEmpty = true;

        public void Reset()
        {
            Literal.Clear();
            Parts.Clear();
            _literalQuoted = false;
            _quotedEmpty = false;
        }

        public void Append(char c, bool quoted)
        {
            if (Literal.Length > 0 && _literalQuoted != quoted)
            {
                Flush();
            }

            _literalQuoted = quoted;
            Literal.Append(c);
        }

        public void Append(ReadOnlySpan<char> text, bool quoted)
        {
            if (text.IsEmpty)
            {
                return;
            }

            if (Literal.Length > 0 && _literalQuoted != quoted)
            {
                Flush();
            }

            _literalQuoted = quoted;
            Literal.Append(text);
        }

        public void Append(StringBuilder text, bool quoted)
        {
            if (text.Length == 0)
            {
                return;
            }

            if (Literal.Length > 0 && _literalQuoted != quoted)
            {
                Flush();
            }

            _literalQuoted = quoted;
            Literal.Append(text);
        }

        public void Add(Part part)
        {
            if (part.Quoted && Literal.Length == 0)
            {
                // The part is quoted itself; "$@" with no parameters must still make no word.
                _quotedEmpty = false;
            }

            Flush();
            Parts.Add(part);
        }

        public void Flush()
        {
            if (Literal.Length > 0)
            {
                Parts.Add(new ShellSyntax.Literal(Literal.ToString()) { Quoted = _literalQuoted });
                Literal.Clear();
                _quotedEmpty = false;
            }
            else if (_quotedEmpty)
            {
                Parts.Add(new ShellSyntax.Literal(string.Empty) { Quoted = true });
                _quotedEmpty = false;
            }
        }
    }
}
