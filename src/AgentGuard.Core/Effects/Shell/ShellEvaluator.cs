using static AgentGuard.Effects.Shell.ShellSyntax;

namespace AgentGuard.Effects.Shell;

/// <summary>
/// Walks a parsed script as the shell would run it, without running anything: every simple
/// command that may run is listed with its words expanded against what the script set before it
/// (variables, functions, <c>cd</c>). Both sides of a branch are walked and their states merged,
/// loops run once per listed item, functions at each call. Bounded in commands, steps and calls.
/// </summary>
internal sealed partial class ShellEvaluator
{
    public const int MaxCommands = 4096;
    public const int MaxSteps = 100_000;
    public const int MaxCallDepth = 8;
    public const int MaxLoopItems = 64;
    public const int MaxValueLength = 1 << 16;

    private static readonly IReadOnlyList<KeyValuePair<string, ShellWord>> NoAssignments = [];
    private static readonly IReadOnlyList<ShellRedirection> NoRedirections = [];

    // A thread's reusable lists and builders, looked up once per evaluator (stacks: expansion nests through substitutions).
    [ThreadStatic]
    private static Pools? t_pools;

    private readonly Pools _pools = t_pools ??= new Pools();

    private List<ShellCommand> _commands = new(8);
    private List<string> _errors;
    private ShellEnvironment _env;

    // The environment a run starts in, reset for the next run of a reused evaluator.
    private readonly ShellEnvironment _start;

    // Copies of the environment that pipelines ran their members in, free to be written over by the next pipeline.
    private readonly Stack<ShellEnvironment> _spareCopies = new();
    private int _pipeline = -1;
    private int _steps;
    private int _callDepth;
    private int _capturing;
    private bool _stopped;

    public ShellEvaluator(List<string> errors, string? workingDirectory)
    {
        _errors = errors;
        _env = _start = new ShellEnvironment { WorkingDirectory = workingDirectory is null ? null : ShellPath.Normalize(workingDirectory) };
    }

    /// <summary>Makes this evaluator (a thread's reused one) ready for a new run, as a new one would be.</summary>
    public ShellEvaluator Reuse(List<string> errors, string? workingDirectory)
    {
        _commands = new List<ShellCommand>(8);
        _errors = errors;
        _start.Reset(workingDirectory is null ? null : ShellPath.Normalize(workingDirectory));
        _env = _start;
        _pipeline = -1;
        _steps = 0;
        _callDepth = 0;
        _capturing = 0;
        _stopped = false;
        _expandedCharacters = 0;
        return this;
    }

    /// <summary>Drops the references to the last run's commands and state (the agent's data) once the evaluator is done.</summary>
    public void Release()
    {
        _commands = null!;
        _errors = null!;
        _start.Reset(null);
        _env = _start;
        foreach (var spare in _spareCopies)
        {
            spare.Reset(null);
        }
    }

    public List<ShellCommand> Run(CommandList script)
    {
        RunList(script);
        return _commands;
    }

    private bool Step()
    {
        if (_stopped)
        {
            return false;
        }

        if (++_steps + (_env.Work / 16) + (_expandedCharacters / 64) > MaxSteps)
        {
            Stop($"more than {MaxSteps} evaluation steps");
            return false;
        }

        return true;
    }

    private void Stop(string message)
    {
        if (!_stopped)
        {
            _stopped = true;
            Error(message);
        }
    }

    private void Error(string message)
    {
        if (_errors.Count < 64)
        {
            _errors.Add(message);
        }
    }

    /// <summary>Runs a list; returns what it prints when that is known statically.</summary>
    private string? RunList(CommandList list)
    {
        string? output = string.Empty;
        for (var i = 0; i < list.Items.Count && !_stopped; i++)
        {
            string? item;
            if (list.JoinAt(i) == ListJoin.Or)
            {
                // The right side of || may not run.
                var before = _env.Clone();
                item = Run(list.Items[i]);
                _env = ShellEnvironment.Merge(before, _env);
            }
            else
            {
                item = Run(list.Items[i]);
            }

            output = output is null || item is null ? null : output.Length == 0 ? item : item.Length == 0 ? output : output + item;
        }

        return output;
    }

    private string? Run(Command command)
    {
        if (!Step())
        {
            return null;
        }

        if (command is SimpleCommand simple)
        {
            return RunSimple(simple, ++_pipeline, 0, null, _capturing > 0);
        }

        if (command.Redirections is { Count: > 0 })
        {
            EmitRedirections(command.Redirections);
        }

        switch (command)
        {
            case Pipeline pipeline:
                return RunPipeline(pipeline);
            case CommandList list:
                return RunList(list);
            case Group group:
                return RunList(group.Body);
            case Subshell subshell:
                return RunIsolated(subshell.Body);
            case If conditional:
                RunIf(conditional);
                return null;
            case For loop:
                RunFor(loop);
                return null;
            case ArithmeticFor loop:
                ExpandToValue(loop.Header);
                RunOptional(loop.Body);
                return null;
            case While loop:
                RunList(loop.Condition);
                RunOptional(loop.Body);
                return null;
            case Case branches:
                RunCase(branches);
                return null;
            case FunctionDefinition function:
                _env.SetFunction(function.Name, function.Body);
                return string.Empty;
            case Test test:
                foreach (var word in test.Words)
                {
                    ExpandToValue(word);
                }

                return string.Empty;
            default:
                return null;
        }
    }

    /// <summary>Runs <paramref name="list"/> in a copy of the state (a subshell or substitution).</summary>
    private string? RunIsolated(CommandList list)
    {
        var saved = _env;
        _env = saved.Clone();
        var output = RunList(list);
        _env = saved;
        return output;
    }

    /// <summary>Runs <paramref name="list"/> as a branch that may not run.</summary>
    private void RunOptional(CommandList list)
    {
        var before = _env.Clone();
        RunList(list);
        _env = ShellEnvironment.Merge(before, _env);
    }

    private string? RunPipeline(Pipeline pipeline)
    {
        var number = ++_pipeline;
        string? previous = null;

        // The members' copies are the same object in turn: the evaluator keeps no environment past
        // the member that ran in it (only values from it), so the next member's copy can reuse it,
        // and so can the next pipeline (a nested one takes another spare: they are a stack).
        ShellEnvironment? copy = _spareCopies.Count > 0 ? _spareCopies.Pop() : null;
        for (var i = 0; i < pipeline.Commands.Length && !_stopped; i++)
        {
            // Each member of a pipeline runs in a subshell: its cd and assignments do not last.
            if (i > 0 && !Step())
            {
                break;
            }

            var saved = _env;
            _env = copy = saved.Clone(copy);
            var member = pipeline.Commands[i];
            var read = i < pipeline.Commands.Length - 1;
            if (member is SimpleCommand simple)
            {
                previous = RunSimple(simple, number, i, previous, _capturing > 0 || read);
            }
            else
            {
                // { echo ...; } | sh: the group's output is the next member's input.
                _capturing += read ? 1 : 0;
                previous = Run(member);
                _capturing -= read ? 1 : 0;
            }
            _env = saved;
        }

        if (copy is not null)
        {
            _spareCopies.Push(copy);
        }

        return previous;
    }

    private void RunIf(If conditional)
    {
        ShellEnvironment? merged = null;
        foreach (var (condition, body) in conditional.Clauses)
        {
            RunList(condition);
            var afterCondition = _env;
            _env = afterCondition.Clone();
            RunList(body);
            merged = merged is null ? _env : ShellEnvironment.Merge(merged, _env);
            _env = afterCondition;
        }

        if (conditional.Else is not null)
        {
            var afterConditions = _env;
            _env = afterConditions.Clone();
            RunList(conditional.Else);
            merged = merged is null ? _env : ShellEnvironment.Merge(merged, _env);
        }
        else
        {
            merged = merged is null ? _env : ShellEnvironment.Merge(merged, _env);
        }

        _env = merged;
    }

    private void RunFor(For loop)
    {
        if (loop.Items is null)
        {
            _env.Set(loop.Variable, ShellEnvironment.UnknownValue);
            RunOptional(loop.Body);
            return;
        }

        var items = new List<ShellWord>();
        foreach (var word in loop.Items)
        {
            ExpandWord(word, items);
        }

        var count = Math.Min(items.Count, MaxLoopItems);
        for (var i = 0; i < count && !_stopped; i++)
        {
            _env.Set(loop.Variable, ToValue(items[i]));
            RunList(loop.Body);
        }

        if (items.Count > MaxLoopItems)
        {
            _env.Set(loop.Variable, ShellEnvironment.UnknownValue);
            RunList(loop.Body);
        }
    }

    private void RunCase(Case branches)
    {
        ExpandToValue(branches.Subject);
        var start = _env;
        var merged = start;
        foreach (var (patterns, body) in branches.Branches)
        {
            foreach (var pattern in patterns)
            {
                ExpandToValue(pattern);
            }

            _env = start.Clone();
            RunList(body);
            merged = ShellEnvironment.Merge(merged, _env);
        }

        _env = merged;
    }

    private void EmitRedirections(List<Redirection> redirections)
    {
        var list = new List<ShellRedirection>(redirections.Count);
        foreach (var redirection in redirections)
        {
            list.Add(ExpandRedirection(redirection));
        }

        Emit(new ShellCommand([], NoAssignments, list, _env.WorkingDirectory, ++_pipeline, 0, null));
    }

    private void Emit(ShellCommand command)
    {
        if (_commands.Count >= MaxCommands)
        {
            Stop($"more than {MaxCommands} commands");
            return;
        }

        _commands.Add(command);
    }

    /// <param name="needOutput">Whether the output is read (by the next member of a pipeline or a substitution); it is only worked out then.</param>
    private string? RunSimple(SimpleCommand command, int pipeline, int index, string? previousOutput, bool needOutput)
    {
        ShellWord[] words;
        if (command.Expanded is { Length: <= MaxFieldsPerCommand } ready)
        {
            // Each word is plain text that expands to itself or a glob of itself, as ExpandWord
            // would find; a glob is expanded as ExpandFields does (not once the evaluator stopped).
            words = ready;
            List<ShellWord>? kept = null;
            for (var i = 0; i < ready.Length; i++)
            {
                var word = ready[i];
                if (word.IsPattern && _stopped)
                {
                    if (kept is null)
                    {
                        kept = new List<ShellWord>(ready.Length);
                        for (var k = 0; k < i; k++)
                        {
                            kept.Add(ready[k]);
                        }
                    }

                    continue;
                }

                kept?.Add(word);
                _expandedCharacters += word.Text.Length;
                if (word.IsPattern && _expandedCharacters > MaxExpandedCharacters)
                {
                    Stop($"expansions longer than {MaxExpandedCharacters} characters");
                }
            }

            if (kept is not null)
            {
                words = kept.Count == 0 ? [] : kept.ToArray();
            }
        }
        else
        {
            var pooled = _pools.WordLists.Count > 0 ? _pools.WordLists.Pop() : new List<ShellWord>(8);
            if (command.Expanded is { } many)
            {
                // More words than a command may expand to: each as its syntax word, so the limit stops them as it would.
                foreach (var word in many)
                {
                    ExpandWord(new Word(word.Text), pooled);
                }
            }

            foreach (var word in command.Words)
            {
                ExpandWord(word, pooled);
            }

            words = pooled.Count == 0 ? [] : pooled.ToArray();
            pooled.Clear();
            _pools.WordLists.Push(pooled);
        }

        var assignments = NoAssignments;
        if (command.Assignments.Length > 0)
        {
            var list = new List<KeyValuePair<string, ShellWord>>(command.Assignments.Length);
            foreach (var assignment in command.Assignments)
            {
                var value = ExpandToValue(assignment.Value, tilde: true);
                if (assignment.Append)
                {
                    value = (_env.Get(assignment.Name) ?? string.Empty) + value;
                }

                value = Bound(value);
                list.Add(new(assignment.Name, ToWord(value)));
                if (words.Length == 0)
                {
                    _env.Set(assignment.Name, value);
                }
            }

            assignments = list;
        }

        var redirections = NoRedirections;
        string? stdin = index > 0 ? previousOutput : null;
        var stdoutRedirected = false;
        if (command.Redirections is { Count: > 0 })
        {
            var list = new List<ShellRedirection>(command.Redirections.Count);
            foreach (var redirection in command.Redirections)
            {
                var expanded = ExpandRedirection(redirection);
                list.Add(expanded);
                if (expanded.Descriptor == 0)
                {
                    stdin = expanded.Kind is ShellRedirectionKind.HereDocument or ShellRedirectionKind.HereString && !expanded.Target.IsOpaque
                        ? expanded.Target.Text
                        : null;
                }
                else if (expanded.Descriptor == 1 && expanded.Kind != ShellRedirectionKind.Duplicate)
                {
                    stdoutRedirected = true;
                }
            }

            redirections = list;
        }

        if (words.Length > 0 && !words[0].IsPattern && _env.GetFunction(words[0].Text) is { } function)
        {
            return CallFunction(function, words, redirections);
        }

        Emit(new ShellCommand(words, assignments, redirections, _env.WorkingDirectory, pipeline, index, stdin));
        if (words.Length > 0)
        {
            RunBuiltin(words);
        }

        if (stdoutRedirected)
        {
            return string.Empty;
        }

        if (!needOutput)
        {
            return null;
        }

        return ShellStaticOutput.Of(words, stdin, _env.WorkingDirectory);
    }

    private string? CallFunction(Command body, ShellWord[] words, IReadOnlyList<ShellRedirection> redirections)
    {
        if (redirections.Count > 0)
        {
            Emit(new ShellCommand([], NoAssignments, redirections, _env.WorkingDirectory, ++_pipeline, 0, null));
        }

        if (_callDepth >= MaxCallDepth)
        {
            Error($"function '{words[0].Text}' calls nest deeper than {MaxCallDepth}");
            return null;
        }

        var arguments = new string[words.Length - 1];
        for (var i = 1; i < words.Length; i++)
        {
            arguments[i - 1] = ToValue(words[i]);
        }

        var savedPositional = _env.Positional;
        _env.Positional = arguments;
        _callDepth++;
        var output = Run(body);
        _callDepth--;
        _env.Positional = savedPositional;
        return output;
    }

    private void RunBuiltin(ShellWord[] words)
    {
        switch (words[0].Text)
        {
            case "cd":
                ChangeDirectory(words, push: false);
                break;
            case "pushd":
                ChangeDirectory(words, push: true);
                break;
            case "popd":
                _env.WorkingDirectory = _env.PopDirectory(out var empty);
                if (empty)
                {
                    _env.WorkingDirectory = null;
                }

                break;
            case "export" or "local" or "declare" or "typeset" or "readonly":
                for (var i = 1; i < words.Length; i++)
                {
                    var value = ToValue(words[i]);
                    var equals = value.IndexOf('=', StringComparison.Ordinal);
                    if (equals > 0 && IsName(value.AsSpan(0, equals)))
                    {
                        _env.Set(value[..equals], value[(equals + 1)..]);
                    }
                }

                break;
            case "unset":
                for (var i = 1; i < words.Length; i++)
                {
                    _env.Unset(words[i].Text);
                }

                break;
            case "read" or "mapfile" or "readarray" or "getopts":
                for (var i = 1; i < words.Length; i++)
                {
                    if (IsName(words[i].Text))
                    {
                        _env.Set(words[i].Text, ShellEnvironment.UnknownValue);
                    }
                }

                break;
            case "set" when words.Length > 1 && words[1].Text == "--":
                var positional = new string[words.Length - 2];
                for (var i = 2; i < words.Length; i++)
                {
                    positional[i - 2] = ToValue(words[i]);
                }

                _env.Positional = positional;
                break;
            case "shift":
                if (_env.Positional is { Count: > 0 } current)
                {
                    _env.Positional = current.Skip(1).ToArray();
                }

                break;
        }
    }

    private void ChangeDirectory(ShellWord[] words, bool push)
    {
        var i = 1;
        while (i < words.Length && words[i].Text is "-L" or "-P" or "-e" or "-@" or "-n" or "--")
        {
            i++;
        }

        var current = _env.WorkingDirectory;
        string? target;
        if (i >= words.Length)
        {
            if (push)
            {
                // pushd without an operand swaps the top two directories.
                var top = _env.PopDirectory(out var empty);
                if (!empty)
                {
                    _env.PushDirectory(current);
                    _env.WorkingDirectory = top;
                }

                return;
            }

            target = _env.Get("HOME");
        }
        else if (words[i].Text == "-" && !words[i].IsPattern)
        {
            target = _env.PreviousWorkingDirectory;
        }
        else if (words[i].IsPattern || words[i].IsOpaque)
        {
            target = null;
        }
        else
        {
            target = ShellPath.Resolve(current, words[i].Text);
        }

        if (target is not null && target.Contains(ShellEnvironment.Unknown))
        {
            target = null;
        }

        if (push)
        {
            _env.PushDirectory(current);
        }

        _env.PreviousWorkingDirectory = current;
        _env.WorkingDirectory = target;
    }

    private static bool IsName(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || !(char.IsAsciiLetter(text[0]) || text[0] == '_'))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Bound(string value)
        => value.Length <= MaxValueLength ? value : string.Concat(value.AsSpan(0, MaxValueLength), ShellEnvironment.UnknownValue);
}
