using static AgentGuard.Effects.Shell.ShellSyntax;

namespace AgentGuard.Effects.Shell;

/// <summary>
/// What the evaluator knows of the shell's state at one point: variables, functions, positional
/// parameters and the working directory. Values are strings in which <see cref="Unknown"/> stands
/// for text that cannot be known statically. Copies share their tables until one of them writes
/// (subshells and branches copy the state; most never change it).
/// </summary>
internal sealed class ShellEnvironment
{
    /// <summary>Stands, inside a value, for a part that cannot be known (written <c>*</c> in a pattern).</summary>
    public const char Unknown = '\uFFFF';

    /// <summary>A value that is wholly unknown.</summary>
    public const string UnknownValue = "\uFFFF";

    private Dictionary<string, string>? _variables;
    // Shared by every clone (the work of all branches counts); set in the constructors, so a clone does not allocate one.
    private readonly WorkCounter _work;
    private bool _variablesShared;
    private Dictionary<string, Command>? _functions;
    private bool _functionsShared;

    public ShellEnvironment()
        : this(new WorkCounter())
    {
    }

    private ShellEnvironment(WorkCounter work) => _work = work;

    public string? WorkingDirectory { get; set; }

    /// <summary>Entries copied and compared so far by this environment and its copies (the evaluator's budget counts them).</summary>
    public long Work => _work.Value;

    public string? PreviousWorkingDirectory { get; set; }

    /// <summary>The <c>pushd</c> stack; shared between copies, copied when written.</summary>
    public IReadOnlyList<string?> DirectoryStack { get; private set; } = [];

    /// <summary><c>$1</c>... inside a function call; <see langword="null"/> when unknown (the script's own arguments).</summary>
    public IReadOnlyList<string>? Positional { get; set; }

    /// <summary>Looks up a variable the script assigned; <see langword="null"/> when it never did.</summary>
    public string? Get(string name)
        => _variables is not null && _variables.TryGetValue(name, out var value) ? value : null;

    public void Set(string name, string value)
    {
        if (_variables is null)
        {
            _variables = new Dictionary<string, string>(StringComparer.Ordinal);
        }
        else if (_variablesShared)
        {
            _work.Value += _variables.Count;
            _variables = new Dictionary<string, string>(_variables, StringComparer.Ordinal);
            _variablesShared = false;
        }

        _variables[name] = value;
    }

    public void Unset(string name)
    {
        if (_variables is null || !_variables.ContainsKey(name))
        {
            return;
        }

        Set(name, string.Empty);
        _variables.Remove(name);
    }

    public Command? GetFunction(string name)
        => _functions is not null && _functions.TryGetValue(name, out var body) ? body : null;

    public void SetFunction(string name, Command body)
    {
        if (_functions is null)
        {
            _functions = new Dictionary<string, Command>(StringComparer.Ordinal);
        }
        else if (_functionsShared)
        {
            _work.Value += _functions.Count;
            _functions = new Dictionary<string, Command>(_functions, StringComparer.Ordinal);
            _functionsShared = false;
        }

        _functions[name] = body;
    }

    public void PushDirectory(string? directory) => DirectoryStack = [.. DirectoryStack, directory];

    public string? PopDirectory(out bool empty)
    {
        empty = DirectoryStack.Count == 0;
        if (empty)
        {
            return null;
        }

        var top = DirectoryStack[^1];
        DirectoryStack = DirectoryStack.Take(DirectoryStack.Count - 1).ToArray();
        return top;
    }

    /// <summary>Empties this environment (an evaluator's starting one, reused) as a new one would be, in <paramref name="workingDirectory"/>.</summary>
    public void Reset(string? workingDirectory)
    {
        _variables = null;
        _variablesShared = false;
        _functions = null;
        _functionsShared = false;
        _work.Value = 0;
        WorkingDirectory = workingDirectory;
        PreviousWorkingDirectory = null;
        DirectoryStack = [];
        Positional = null;
    }

    /// <summary>
    /// As <see cref="Clone()"/>, written into <paramref name="reuse"/> when given: an earlier copy of
    /// this environment (or of one sharing its work counter) that nothing refers to any more.
    /// </summary>
    public ShellEnvironment Clone(ShellEnvironment? reuse)
    {
        if (reuse is null || !ReferenceEquals(reuse._work, _work))
        {
            return Clone();
        }

        _variablesShared = _variables is not null;
        _functionsShared = _functions is not null;
        reuse._variables = _variables;
        reuse._variablesShared = _variablesShared;
        reuse._functions = _functions;
        reuse._functionsShared = _functionsShared;
        reuse.WorkingDirectory = WorkingDirectory;
        reuse.PreviousWorkingDirectory = PreviousWorkingDirectory;
        reuse.DirectoryStack = DirectoryStack;
        reuse.Positional = Positional;
        return reuse;
    }

    /// <summary>A copy whose changes do not reach this environment.</summary>
    public ShellEnvironment Clone()
    {
        _variablesShared = _variables is not null;
        _functionsShared = _functions is not null;
        return new ShellEnvironment(_work)
        {
            _variables = _variables,
            _variablesShared = _variablesShared,
            _functions = _functions,
            _functionsShared = _functionsShared,
            WorkingDirectory = WorkingDirectory,
            PreviousWorkingDirectory = PreviousWorkingDirectory,
            DirectoryStack = DirectoryStack,
            Positional = Positional,
        };
    }

    /// <summary>
    /// The state after one of several branches ran: what all branches agree on is kept; a variable
    /// or directory they disagree on becomes unknown.
    /// </summary>
    public static ShellEnvironment Merge(ShellEnvironment a, ShellEnvironment b)
    {
        if (ReferenceEquals(a._variables, b._variables) && ReferenceEquals(a._functions, b._functions)
            && a.WorkingDirectory == b.WorkingDirectory && a.PreviousWorkingDirectory == b.PreviousWorkingDirectory
            && ReferenceEquals(a.DirectoryStack, b.DirectoryStack) && ReferenceEquals(a.Positional, b.Positional))
        {
            return a;
        }

        var merged = a.Clone();
        if (!ReferenceEquals(a._variables, b._variables))
        {
            a._work.Value += (a._variables?.Count ?? 0) + (b._variables?.Count ?? 0);
            if (a._variables is not null)
            {
                foreach (var (name, value) in a._variables)
                {
                    if (b.Get(name) != value)
                    {
                        merged.Set(name, UnknownValue);
                    }
                }
            }

            if (b._variables is not null)
            {
                foreach (var (name, value) in b._variables)
                {
                    if (a.Get(name) != value)
                    {
                        merged.Set(name, UnknownValue);
                    }
                }
            }
        }

        if (b._functions is not null && !ReferenceEquals(a._functions, b._functions))
        {
            foreach (var (name, body) in b._functions)
            {
                merged.SetFunction(name, body);
            }
        }

        if (merged.WorkingDirectory != b.WorkingDirectory)
        {
            merged.WorkingDirectory = null;
        }

        if (merged.PreviousWorkingDirectory != b.PreviousWorkingDirectory)
        {
            merged.PreviousWorkingDirectory = null;
        }

        if (!ReferenceEquals(a.DirectoryStack, b.DirectoryStack))
        {
            merged.DirectoryStack = a.DirectoryStack.Count == b.DirectoryStack.Count ? [.. a.DirectoryStack.Select((d, i) => d == b.DirectoryStack[i] ? d : null)] : [];
        }

        if (!ReferenceEquals(a.Positional, b.Positional))
        {
            merged.Positional = null;
        }

        return merged;
    }

    private sealed class WorkCounter
    {
        public long Value;
    }
}
