namespace AgentGuard.Effects.Shell;

/// <summary>
/// The syntax tree <see cref="ShellReader"/> builds and <see cref="ShellEvaluator"/> walks: words
/// as unexpanded parts, commands as the grammar's nodes. Nested here because they are one concept
/// and only meaningful together.
/// </summary>
internal static class ShellSyntax
{
    /// <summary>A word before expansion: its parts in source order.</summary>
    internal sealed class Word
    {
        private Part[]? _parts;

        public Word(Part[] parts) => _parts = parts;

        /// <summary>A word of plain unquoted characters, the most common kind: its part is only made when asked for.</summary>
        public Word(string plain) => Plain = plain;

        /// <summary>The text of a word that is one unquoted literal without special characters, or null.</summary>
        public string? Plain { get; }

        public Part[] Parts => _parts ??= [new Literal(Plain!)];

        public static readonly Word Empty = new(Array.Empty<Part>());
    }

    internal abstract class Part
    {
        /// <summary>Inside double quotes (or otherwise quoted): no splitting, no globbing.</summary>
        public bool Quoted { get; init; }
    }

    /// <summary>Literal text. Quoted text came from quotes or a backslash; unquoted text may hold glob, brace and tilde syntax.</summary>
    internal sealed class Literal(string text) : Part
    {
        public string Text { get; } = text;
    }

    internal enum ParameterOperator
    {
        None,
        Length,
        Default,        // :-  -
        Assign,         // :=  =
        Error,          // :?  ?
        Alternative,    // :+  +
        RemoveSmallestPrefix,
        RemoveLargestPrefix,
        RemoveSmallestSuffix,
        RemoveLargestSuffix,
        ReplaceFirst,
        ReplaceAll,
        ReplacePrefix,
        ReplaceSuffix,
        Unsupported,
    }

    internal sealed class Parameter(string name, ParameterOperator op, bool colon, Word? argument, Word? replacement) : Part
    {
        public string Name { get; } = name;

        public ParameterOperator Operator { get; } = op;

        /// <summary>The <c>:</c> form: an empty value counts as unset.</summary>
        public bool Colon { get; } = colon;

        public Word? Argument { get; } = argument;

        public Word? Replacement { get; } = replacement;
    }

    /// <summary>Text that cannot be known statically (an expansion past a limit); written <c>*</c>.</summary>
    internal sealed class Unknown : Part
    {
    }

    internal sealed class CommandSubstitution(CommandList body) : Part
    {
        public CommandList Body { get; } = body;
    }

    internal sealed class ProcessSubstitution(CommandList body) : Part
    {
        public CommandList Body { get; } = body;
    }

    internal sealed class Arithmetic(Word expression) : Part
    {
        public Word Expression { get; } = expression;
    }

    internal enum RedirectionOperator
    {
        Read,
        Write,
        Clobber,
        Append,
        ReadWrite,
        DuplicateInput,
        DuplicateOutput,
        WriteBoth,
        AppendBoth,
        HereDocument,
        HereString,
    }

    internal sealed class Redirection(int descriptor, RedirectionOperator op, Word target)
    {
        /// <summary>The descriptor, or -1 for the operator's default.</summary>
        public int Descriptor { get; } = descriptor;

        public RedirectionOperator Operator { get; } = op;

        /// <summary>The target word; for a here-document, its body once read.</summary>
        public Word Target { get; set; } = target;
    }

    internal sealed class Assignment(string name, Word value, bool append)
    {
        public string Name { get; } = name;

        public Word Value { get; } = value;

        public bool Append { get; } = append;
    }

    internal abstract class Command
    {
        public List<Redirection>? Redirections { get; set; }
    }

    internal sealed class SimpleCommand(Assignment[] assignments, Word[] words, ShellWord[]? expanded = null) : Command
    {
        public Assignment[] Assignments { get; } = assignments;

        /// <summary>The words before expansion; empty when <see cref="Expanded"/> holds them.</summary>
        public Word[] Words { get; } = words;

        /// <summary>
        /// The words as they run when every one is plain text that expands to itself or, with
        /// <c>*</c> or <c>?</c>, to a glob of itself (the reader made them so), or null. Shared by
        /// every run of the command: never written to.
        /// </summary>
        public ShellWord[]? Expanded { get; } = expanded;
    }

    internal enum ListJoin
    {
        Sequence,
        And,
        Or,
    }

    /// <summary>And-or lists joined by <c>;</c>, <c>&amp;</c> or newlines; <see cref="JoinAt"/>(i) joins item i-1 and item i.</summary>
    internal sealed class CommandList : Command
    {
        public List<Command> Items { get; } = [];

        // Only filled when some join is && or ||: most lists are sequences. Kept, emptied, by Clear.
        private List<ListJoin>? _joins;
        private bool _joined;

        public ListJoin JoinAt(int index) => _joined ? _joins![index] : ListJoin.Sequence;

        public void Add(Command command, ListJoin join)
        {
            if (join != ListJoin.Sequence && !_joined)
            {
                _joins ??= new List<ListJoin>(Items.Count + 2);
                for (var i = 0; i < Items.Count; i++)
                {
                    _joins.Add(ListJoin.Sequence);
                }

                _joined = true;
            }

            Items.Add(command);
            if (_joined)
            {
                _joins!.Add(join);
            }
        }

        public static CommandList Empty => new();

        /// <summary>Empties the list for reuse (a thread's reused reader keeps its script's list; a long one's room is not kept).</summary>
        public void Clear()
        {
            Items.Clear();
            if (Items.Capacity > 64)
            {
                Items.Capacity = 0;
            }

            _joins?.Clear();
            _joined = false;
            if (_joins?.Capacity > 64)
            {
                _joins = null;
            }

            Redirections = null;
        }
    }

    internal sealed class Pipeline(Command[] commands) : Command
    {
        public Command[] Commands { get; } = commands;
    }

    internal sealed class Subshell(CommandList body) : Command
    {
        public CommandList Body { get; } = body;
    }

    internal sealed class Group(CommandList body) : Command
    {
        public CommandList Body { get; } = body;
    }

    internal sealed class If(List<(CommandList Condition, CommandList Body)> clauses, CommandList? otherwise) : Command
    {
        public List<(CommandList Condition, CommandList Body)> Clauses { get; } = clauses;

        public CommandList? Else { get; } = otherwise;
    }

    /// <summary><c>for</c> and <c>select</c>; <see cref="Items"/> is null for the positional parameters.</summary>
    internal sealed class For(string variable, List<Word>? items, CommandList body) : Command
    {
        public string Variable { get; } = variable;

        public List<Word>? Items { get; } = items;

        public CommandList Body { get; } = body;
    }

    internal sealed class ArithmeticFor(Word header, CommandList body) : Command
    {
        public Word Header { get; } = header;

        public CommandList Body { get; } = body;
    }

    internal sealed class While(CommandList condition, CommandList body) : Command
    {
        public CommandList Condition { get; } = condition;

        public CommandList Body { get; } = body;
    }

    internal sealed class Case(Word subject, List<(List<Word> Patterns, CommandList Body)> branches) : Command
    {
        public Word Subject { get; } = subject;

        public List<(List<Word> Patterns, CommandList Body)> Branches { get; } = branches;
    }

    internal sealed class FunctionDefinition(string name, Command body) : Command
    {
        public string Name { get; } = name;

        public Command Body { get; } = body;
    }

    /// <summary><c>[[ ... ]]</c> and <c>(( ... ))</c>: no effect of their own, but their words may hold command substitutions.</summary>
    internal sealed class Test(List<Word> words) : Command
    {
        public List<Word> Words { get; } = words;
    }
}
