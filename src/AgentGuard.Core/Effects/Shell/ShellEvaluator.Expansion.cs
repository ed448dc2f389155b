using System.Globalization;
using System.Text;
using static AgentGuard.Effects.Shell.ShellSyntax;

namespace AgentGuard.Effects.Shell;

/// <summary>
/// Word expansion in the shell's order: brace expansion, tilde, parameters, command substitution
/// and arithmetic, field splitting of unquoted results (default IFS), then quote removal. Words
/// with unquoted glob characters or unknown parts become patterns (<see cref="ShellWord.IsPattern"/>).
/// </summary>
internal sealed partial class ShellEvaluator
{
    public const int MaxFieldsPerCommand = 4096;
    public const long MaxExpandedCharacters = 4_000_000;

    /// <summary>Longest value and pattern that <c>${x#p}</c>, <c>${x/p/r}</c>... are computed for; longer ones are unknown.</summary>
    private const int MaxPatternSubject = 512;

    /// <summary>Matching work one such expansion may do (pattern × text lengths summed over attempts).</summary>
    private const long MaxPatternWork = 1_000_000;

    /// <summary>Characters that make an unquoted literal more than itself (globs, braces, a tilde).</summary>
    internal static readonly System.Buffers.SearchValues<char> NeedsExpansion = System.Buffers.SearchValues.Create("*?[({~");

    private long _expandedCharacters;

    private void ExpandWord(Word word, List<ShellWord> output)
    {
        if (output.Count >= MaxFieldsPerCommand)
        {
            Stop($"a command expands to more than {MaxFieldsPerCommand} words");
            return;
        }

        if (word.Plain is { } plain && !plain.AsSpan().ContainsAny(NeedsExpansion))
        {
            output.Add(new ShellWord(plain));
            _expandedCharacters += plain.Length;
            return;
        }

        if (word.Parts.Length == 1 && word.Parts[0] is Literal literal && (literal.Quoted || !literal.Text.AsSpan().ContainsAny(NeedsExpansion)))
        {
            // A word that is one plain literal is itself (most words are).
            output.Add(new ShellWord(literal.Text));
            _expandedCharacters += literal.Text.Length;
            return;
        }

        if (ShellBraceExpansion.MayExpand(word))
        {
            var words = new List<Word>();
            if (!ShellBraceExpansion.Expand(word, words))
            {
                Error($"brace expansion makes more than {ShellBraceExpansion.MaxWords} words; the braces are taken as a pattern");
            }

            foreach (var expanded in words)
            {
                ExpandFields(expanded, output);
            }

            return;
        }

        ExpandFields(word, output);
    }

    private void ExpandFields(Word word, List<ShellWord> output)
    {
        var field = _pools.Fields.Count > 0 ? _pools.Fields.Pop() : new FieldBuilder();
        var parts = word.Parts;
        for (var i = 0; i < parts.Length && !_stopped; i++)
        {
            switch (parts[i])
            {
                case Literal literal:
                    if (i == 0 && !literal.Quoted && literal.Text.StartsWith('~'))
                    {
                        var rest = ExpandTilde(literal.Text, parts.Length == 1, out var home);
                        if (home is not null)
                        {
                            field.AppendQuoted(home);
                            field.AppendUnquoted(rest);
                            break;
                        }
                    }

                    if (literal.Quoted)
                    {
                        field.AppendQuoted(literal.Text);
                    }
                    else
                    {
                        field.AppendUnquoted(literal.Text);
                    }

                    break;
                case Parameter { Name: "@", Operator: ParameterOperator.None, Quoted: true } when _env.Positional is { } positional:
                    for (var p = 0; p < positional.Count; p++)
                    {
                        if (p > 0)
                        {
                            field.Emit(output);
                        }

                        field.AppendQuoted(positional[p]);
                    }

                    break;
                case Parameter parameter:
                    AppendValue(field, ExpandParameter(parameter), parameter.Quoted, output);
                    break;
                case CommandSubstitution substitution:
                    AppendValue(field, Substitute(substitution.Body) ?? ShellEnvironment.UnknownValue, substitution.Quoted, output);
                    break;
                case Arithmetic arithmetic:
                    AppendValue(field, EvaluateArithmetic(arithmetic), arithmetic.Quoted, output);
                    break;
                case ProcessSubstitution process:
                    RunIsolated(process.Body);
                    field.AppendUnknown();
                    break;
                default:
                    field.AppendUnknown();
                    break;
            }
        }

        field.Emit(output);
        _expandedCharacters += field.Total;
        field.Total = 0;
        if (!field.Oversized)
        {
            _pools.Fields.Push(field);
        }
        if (_expandedCharacters > MaxExpandedCharacters)
        {
            Stop($"expansions longer than {MaxExpandedCharacters} characters");
        }
    }

    private static void AppendValue(FieldBuilder field, string value, bool quoted, List<ShellWord> output)
    {
        if (quoted)
        {
            field.AppendQuoted(value);
        }
        else
        {
            field.AppendSplit(value, output);
        }
    }

    /// <summary>The tilde prefix's directory, or null when the word does not start with one; <paramref name="rest"/> is the text after it.</summary>
    private string ExpandTilde(string text, bool wholeWord, out string? home)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        home = null;
        if (slash < 0 && !wholeWord)
        {
            return text;
        }

        var prefix = slash < 0 ? text.AsSpan(1) : text.AsSpan(1, slash - 1);
        home = prefix switch
        {
            "" => _env.Get("HOME") ?? ShellEnvironment.UnknownValue,
            "+" => _env.WorkingDirectory ?? ShellEnvironment.UnknownValue,
            "-" => _env.PreviousWorkingDirectory ?? ShellEnvironment.UnknownValue,
            _ => ShellEnvironment.UnknownValue,
        };
        return slash < 0 ? string.Empty : text[slash..];
    }

    /// <summary>Expands a word to one value, without splitting or globbing (assignments, here-documents, operands of operators).</summary>
    private string ExpandToValue(Word word, bool tilde = false) => ExpandToText(word, tilde, pattern: false, out _);

    /// <summary>
    /// Expands a word to one string: a value, or (<paramref name="pattern"/>) a glob in which quoted
    /// metacharacters are escaped. <paramref name="unknown"/> tells whether a part is unknown.
    /// </summary>
    private string ExpandToText(Word word, bool tilde, bool pattern, out bool unknown)
    {
        unknown = false;
        if (word.Plain is { } plain && (!tilde || !plain.StartsWith('~')))
        {
            return plain;
        }

        if (word.Parts.Length == 1 && word.Parts[0] is Literal single && (!tilde || !single.Text.StartsWith('~')) && (!pattern || !single.Quoted || !ShellPattern.IsPattern(single.Text)))
        {
            return single.Text;
        }

        var sb = _pools.Builders.Count > 0 ? _pools.Builders.Pop().Clear() : new StringBuilder();
        for (var i = 0; i < word.Parts.Length && !_stopped; i++)
        {
            var part = word.Parts[i];
            string value;
            switch (part)
            {
                case Literal literal:
                    value = literal.Text;
                    if (i == 0 && tilde && !literal.Quoted && value.StartsWith('~'))
                    {
                        var rest = ExpandTilde(value, word.Parts.Length == 1, out var home);
                        if (home is not null)
                        {
                            sb.Append(home);
                            value = rest;
                        }
                    }

                    break;
                case Parameter parameter:
                    value = ExpandParameter(parameter);
                    break;
                case CommandSubstitution substitution:
                    value = Substitute(substitution.Body) ?? ShellEnvironment.UnknownValue;
                    break;
                case Arithmetic arithmetic:
                    value = EvaluateArithmetic(arithmetic);
                    break;
                case ProcessSubstitution process:
                    RunIsolated(process.Body);
                    value = ShellEnvironment.UnknownValue;
                    break;
                default:
                    value = ShellEnvironment.UnknownValue;
                    break;
            }

            foreach (var c in value)
            {
                if (c == ShellEnvironment.Unknown)
                {
                    unknown = true;
                    sb.Append(pattern ? '*' : c);
                }
                else if (pattern && part.Quoted && FieldBuilder.IsMeta(c))
                {
                    sb.Append('\\').Append(c);
                }
                else
                {
                    sb.Append(c);
                }
            }

            if (sb.Length > MaxValueLength)
            {
                break;
            }
        }

        var text = sb.ToString();
        if (sb.Capacity <= 8192)
        {
            _pools.Builders.Push(sb.Clear());
        }

        return Bound(text);
    }

    private string? Lookup(string name)
    {
        switch (name)
        {
            case "@" or "*":
                return _env.Positional is { } all ? string.Join(' ', all) : ShellEnvironment.UnknownValue;
            case "#":
                return _env.Positional is { } count ? count.Count.ToString(CultureInfo.InvariantCulture) : ShellEnvironment.UnknownValue;
            case "?" or "$" or "!" or "-" or "0":
                return ShellEnvironment.UnknownValue;
            case "PWD":
                return _env.Get(name) ?? _env.WorkingDirectory;
            case "OLDPWD":
                return _env.Get(name) ?? _env.PreviousWorkingDirectory;
        }

        if (char.IsAsciiDigit(name[0]))
        {
            if (_env.Positional is not { } positional)
            {
                return ShellEnvironment.UnknownValue;
            }

            return int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= positional.Count ? positional[n - 1] : string.Empty;
        }

        return _env.Get(name);
    }

    /// <summary>
    /// The value of a parameter expansion. A variable the script never assigned may still come
    /// from the environment, so its value is unknown, and so is <c>${x:-d}</c> of it (x's value or
    /// d): the word becomes a pattern that covers both, rather than a guess that could miss.
    /// </summary>
    private string ExpandParameter(Parameter parameter)
    {
        if (parameter.Name.Length == 0)
        {
            return ShellEnvironment.UnknownValue;
        }

        var value = Lookup(parameter.Name);
        if (value is null && parameter.Operator is ParameterOperator.Default or ParameterOperator.Assign or ParameterOperator.Alternative)
        {
            // Still expand the operand: its command substitutions run.
            ExpandToValue(parameter.Argument!);
            return ShellEnvironment.UnknownValue;
        }

        var empty = value is null || (parameter.Colon && value.Length == 0);
        switch (parameter.Operator)
        {
            case ParameterOperator.None:
            case ParameterOperator.Error:
                return value ?? ShellEnvironment.UnknownValue;
            case ParameterOperator.Length:
                return value is null || value.Contains(ShellEnvironment.Unknown) ? ShellEnvironment.UnknownValue : value.Length.ToString(CultureInfo.InvariantCulture);
            case ParameterOperator.Default:
                return empty ? ExpandToValue(parameter.Argument!, tilde: true) : value!;
            case ParameterOperator.Assign:
                if (!empty)
                {
                    return value!;
                }

                var assigned = ExpandToValue(parameter.Argument!, tilde: true);
                if (!char.IsAsciiDigit(parameter.Name[0]) && parameter.Name.Length > 1 || char.IsAsciiLetter(parameter.Name[0]) || parameter.Name[0] == '_')
                {
                    _env.Set(parameter.Name, assigned);
                }

                return assigned;
            case ParameterOperator.Alternative:
                return empty ? string.Empty : ExpandToValue(parameter.Argument!, tilde: true);
            case ParameterOperator.Unsupported:
                return ShellEnvironment.UnknownValue;
        }

        var patternText = ExpandToText(parameter.Argument!, tilde: false, pattern: true, out var patternUnknown);
        var replacement = parameter.Replacement is null ? null : ExpandToValue(parameter.Replacement);
        if (value is null || value.Contains(ShellEnvironment.Unknown) || patternUnknown || value.Length > MaxPatternSubject || patternText.Length > MaxPatternSubject)
        {
            return ShellEnvironment.UnknownValue;
        }

        long work = 0;
        var result = Trim(value, patternText, parameter.Operator, replacement, ref work);
        _expandedCharacters += work;
        return work > MaxPatternWork ? ShellEnvironment.UnknownValue : result;
    }

    private static bool Matches(string pattern, ReadOnlySpan<char> text, ref long work)
    {
        work += (long)(pattern.Length + 1) * (text.Length + 1);
        return work <= MaxPatternWork && ShellPattern.Matches(pattern, text);
    }

    private static string Trim(string value, string pattern, ParameterOperator op, string? replacement, ref long work)
    {
        switch (op)
        {
            case ParameterOperator.RemoveSmallestPrefix:
                for (var i = 0; i <= value.Length; i++)
                {
                    if (Matches(pattern, value.AsSpan(0, i), ref work))
                    {
                        return value[i..];
                    }
                }

                return value;
            case ParameterOperator.RemoveLargestPrefix:
                for (var i = value.Length; i >= 0; i--)
                {
                    if (Matches(pattern, value.AsSpan(0, i), ref work))
                    {
                        return value[i..];
                    }
                }

                return value;
            case ParameterOperator.RemoveSmallestSuffix:
                for (var i = value.Length; i >= 0; i--)
                {
                    if (Matches(pattern, value.AsSpan(i), ref work))
                    {
                        return value[..i];
                    }
                }

                return value;
            case ParameterOperator.RemoveLargestSuffix:
                for (var i = 0; i <= value.Length; i++)
                {
                    if (Matches(pattern, value.AsSpan(i), ref work))
                    {
                        return value[..i];
                    }
                }

                return value;
        }

        if (pattern.Length == 0)
        {
            return value;
        }

        replacement ??= string.Empty;
        var sb = new StringBuilder();
        var start = 0;
        while (start <= value.Length)
        {
            var (from, to) = FindMatch(value, start, pattern, op, ref work);
            if (from < 0)
            {
                break;
            }

            sb.Append(value, start, from - start).Append(replacement);
            start = to == from ? to + 1 : to;
            if (to == from && from < value.Length)
            {
                sb.Append(value[from]);
            }

            if (op != ParameterOperator.ReplaceAll)
            {
                break;
            }
        }

        if (start < value.Length)
        {
            sb.Append(value, start, value.Length - start);
        }

        return sb.ToString();
    }

    /// <summary>The first, longest match of <paramref name="pattern"/> in <paramref name="value"/> from <paramref name="start"/>.</summary>
    private static (int From, int To) FindMatch(string value, int start, string pattern, ParameterOperator op, ref long work)
    {
        var lastFrom = op == ParameterOperator.ReplacePrefix ? Math.Min(start, 0) : value.Length;
        for (var from = start; from <= lastFrom && work <= MaxPatternWork; from++)
        {
            if (op == ParameterOperator.ReplaceSuffix)
            {
                if (Matches(pattern, value.AsSpan(from), ref work))
                {
                    return (from, value.Length);
                }

                continue;
            }

            for (var to = value.Length; to >= from && work <= MaxPatternWork; to--)
            {
                if (Matches(pattern, value.AsSpan(from, to - from), ref work))
                {
                    return (from, to);
                }
            }
        }

        return (-1, -1);
    }

    private string? Substitute(CommandList body)
    {
        _capturing++;
        var output = RunIsolated(body);
        _capturing--;
        return output?.TrimEnd('\n');
    }

    private string EvaluateArithmetic(Arithmetic arithmetic)
    {
        var expression = ExpandToValue(arithmetic.Expression);
        var result = ShellArithmetic.Evaluate(expression, _env);
        return result?.ToString(CultureInfo.InvariantCulture) ?? ShellEnvironment.UnknownValue;
    }

    private ShellRedirection ExpandRedirection(Redirection redirection)
    {
        var op = redirection.Operator;
        var descriptor = redirection.Descriptor;
        ShellWord target;
        if (op is RedirectionOperator.HereDocument or RedirectionOperator.HereString)
        {
            var body = ExpandToValue(redirection.Target);
            if (op == RedirectionOperator.HereString)
            {
                body += "\n";
            }

            target = ToWord(body);
            return new ShellRedirection(descriptor < 0 ? 0 : descriptor, op == RedirectionOperator.HereString ? ShellRedirectionKind.HereString : ShellRedirectionKind.HereDocument, target);
        }

        var fields = _pools.WordLists.Count > 0 ? _pools.WordLists.Pop() : new List<ShellWord>(8);
        ExpandWord(redirection.Target, fields);
        target = fields.Count switch
        {
            0 => new ShellWord(string.Empty),
            1 => fields[0],
            _ => new ShellWord(string.Join(' ', fields.Select(f => f.Text)), fields.Any(f => f.IsPattern), fields.Any(f => f.IsOpaque)),
        };
        fields.Clear();
        _pools.WordLists.Push(fields);

        if (op is RedirectionOperator.DuplicateOutput or RedirectionOperator.DuplicateInput)
        {
            var text = target.Text;
            var isDescriptor = !target.IsPattern && (text == "-" || (text.Length > 0 && text.AsSpan().TrimEnd('-').IndexOfAnyExceptInRange('0', '9') < 0));
            if (isDescriptor)
            {
                return new ShellRedirection(descriptor < 0 ? (op == RedirectionOperator.DuplicateOutput ? 1 : 0) : descriptor, ShellRedirectionKind.Duplicate, target);
            }

            // >&file is &>file; <&file reads it.
            op = op == RedirectionOperator.DuplicateOutput ? RedirectionOperator.WriteBoth : RedirectionOperator.Read;
        }

        var kind = op switch
        {
            RedirectionOperator.Read => ShellRedirectionKind.Read,
            RedirectionOperator.Append or RedirectionOperator.AppendBoth => ShellRedirectionKind.Append,
            RedirectionOperator.ReadWrite => ShellRedirectionKind.ReadWrite,
            _ => ShellRedirectionKind.Write,
        };
        var defaultDescriptor = op is RedirectionOperator.Read or RedirectionOperator.ReadWrite ? 0 : 1;
        return new ShellRedirection(descriptor < 0 ? defaultDescriptor : descriptor, kind, target);
    }

    /// <summary>A value as a word: unknown parts become <c>*</c> in a pattern whose known glob characters are escaped.</summary>
    private static ShellWord ToWord(string value)
    {
        if (!value.Contains(ShellEnvironment.Unknown))
        {
            return new ShellWord(value);
        }

        var sb = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (c == ShellEnvironment.Unknown)
            {
                sb.Append('*');
            }
            else
            {
                if (FieldBuilder.IsMeta(c))
                {
                    sb.Append('\\');
                }

                sb.Append(c);
            }
        }

        return new ShellWord(sb.ToString(), true, true);
    }

    /// <summary>A word as a value: a pattern's glob characters become unknown parts (the names it matches are not known).</summary>
    private static string ToValue(ShellWord word)
    {
        if (!word.IsPattern)
        {
            return word.Text;
        }

        var sb = new StringBuilder(word.Text.Length);
        var text = word.Text;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                sb.Append(text[++i]);
            }
            else if (c is '*' or '?')
            {
                sb.Append(ShellEnvironment.Unknown);
            }
            else if (c == '[' && text.IndexOf(']', i + 1) is var close and > 0)
            {
                sb.Append(ShellEnvironment.Unknown);
                i = close;
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    /// <summary>A thread's reusable word lists, field builders and string builders.</summary>
    private sealed class Pools
    {
        public Stack<List<ShellWord>> WordLists { get; } = new();

        public Stack<FieldBuilder> Fields { get; } = new();

        public Stack<StringBuilder> Builders { get; } = new();
    }

    /// <summary>Builds the fields of one word: the plain value and, alongside, its pattern form.</summary>
    private sealed class FieldBuilder
    {
        private readonly StringBuilder _plain = new();
        private readonly StringBuilder _pattern = new();
        private bool _exists;
        private bool _glob;
        private bool _unknown;
        private bool _bracket;

        public long Total { get; set; }

        /// <summary>Whether a long word grew the builders past what is worth keeping for the next parse.</summary>
        public bool Oversized => _plain.Capacity > 8192 || _pattern.Capacity > 8192;

        public static bool IsMeta(char c) => c is '\\' or '*' or '?' or '[' or ']' or '(' or ')';

        public void AppendQuoted(string text)
        {
            _exists = true;
            foreach (var c in text)
            {
                if (c == ShellEnvironment.Unknown)
                {
                    AppendUnknown();
                    continue;
                }

                _plain.Append(c);
                if (IsMeta(c))
                {
                    _pattern.Append('\\');
                }

                _pattern.Append(c);
            }
        }

        public void AppendUnquoted(string text)
        {
            foreach (var c in text)
            {
                AppendUnquoted(c);
            }
        }

        public void AppendUnknown()
        {
            _exists = true;
            _unknown = true;
            _plain.Append('*');
            _pattern.Append('*');
        }

        /// <summary>Appends an unquoted expansion's result, splitting it into fields at blanks and newlines.</summary>
        public void AppendSplit(string value, List<ShellWord> output)
        {
            foreach (var c in value)
            {
                if (c is ' ' or '\t' or '\n')
                {
                    Emit(output);
                }
                else
                {
                    AppendUnquoted(c);
                }
            }
        }

        public void Emit(List<ShellWord> output)
        {
            if (_exists)
            {
                Total += _plain.Length;
                output.Add(_glob || _unknown ? new ShellWord(_pattern.ToString(), true, _unknown) : new ShellWord(_plain.ToString()));
            }

            _plain.Clear();
            _pattern.Clear();
            _exists = _glob = _unknown = _bracket = false;
        }

        private void AppendUnquoted(char c)
        {
            if (c == ShellEnvironment.Unknown)
            {
                AppendUnknown();
                return;
            }

            _exists = true;
            _plain.Append(c);
            if (c == '\\')
            {
                _pattern.Append('\\');
            }

            _pattern.Append(c);
            switch (c)
            {
                case '*' or '?' or '(':
                    _glob = true;
                    break;
                case '[':
                    _bracket = true;
                    break;
                case ']' when _bracket:
                    _glob = true;
                    break;
            }
        }
    }
}
