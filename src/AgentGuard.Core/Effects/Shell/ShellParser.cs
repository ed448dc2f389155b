namespace AgentGuard.Effects.Shell;

/// <summary>
/// Parses POSIX sh and the bash agents write into the simple commands it would run, with every
/// word expanded as far as can be known statically. Total: never throws, bounded time and memory.
/// </summary>
/// <remarks>
/// Two steps: <see cref="ShellReader"/> builds a syntax tree, <see cref="ShellEvaluator"/> walks it
/// as the shell would (variables, functions, <c>cd</c>, command substitutions whose output is
/// known). Limits: <see cref="MaxLength"/> characters of source, nesting <see cref="ShellReader.MaxDepth"/>
/// deep, <see cref="ShellEvaluator.MaxCommands"/> commands, brace expansions of
/// <see cref="ShellBraceExpansion.MaxWords"/> words; each limit reached is an error in
/// <see cref="ShellScript.Errors"/>.
/// </remarks>
public static class ShellParser
{
    /// <summary>The longest source parsed; the rest of a longer one is left out, with an error.</summary>
    public const int MaxLength = 1 << 20;

    /// <summary>Parses <paramref name="source"/>.</summary>
    /// <param name="source">The command string.</param>
    /// <param name="workingDirectory">The directory the script starts in, or <see langword="null"/> when unknown.</param>
    public static ShellScript Parse(string source, string? workingDirectory = null)
        => Parse(source, workingDirectory, AnsiCDecoder.Default);

    /// <summary>Parses with another <c>$'...'</c> decoder: the seam through which tests show that the bash comparison catches a wrong escape.</summary>
    internal static ShellScript Parse(string source, string? workingDirectory, AnsiCDecoder ansiC)
    {
        ArgumentNullException.ThrowIfNull(source);
        // The thread's reader, evaluator and error list, taken while in use (a parse inside this one would make its own).
        var scratch = t_scratch ?? new Scratch();
        t_scratch = null;
        var errors = scratch.Errors;
        try
        {
            if (source.Length > MaxLength)
            {
                errors.Add($"command is longer than {MaxLength} characters; only the first {MaxLength} were read");
                source = source[..MaxLength];
            }

            if (source.Contains(ShellEnvironment.Unknown))
            {
                source = source.Replace(ShellEnvironment.Unknown, '\uFFFD');
            }

            var syntax = scratch.Reader.Reuse(source, errors, ansiC).ReadScript();
            var commands = scratch.Evaluator.Reuse(errors, workingDirectory).Run(syntax);
            return new ShellScript(commands, Copy(errors));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug, not an input the parser rejects: fail closed with everything unknown.
            errors.Add("internal parser error: " + ex.GetType().Name);
            return new ShellScript([], Copy(errors));
        }
        finally
        {
            errors.Clear();
            scratch.Reader.Release();
            scratch.Evaluator.Release();
            t_scratch = scratch;
        }
    }

    private static IReadOnlyList<string> Copy(List<string> errors) => errors.Count == 0 ? [] : errors.ToArray();

    // A reader and an evaluator per thread, reused by each parse on it: a parse allocates its nodes and commands, not its machinery.
    [ThreadStatic]
    private static Scratch? t_scratch;

    private sealed class Scratch
    {
        /// <summary>The parse's errors, copied into its script (a few at most: the reader and the evaluator cap them).</summary>
        public List<string> Errors { get; } = [];

        public ShellReader Reader { get; } = new(string.Empty, [], AnsiCDecoder.Default);

        public ShellEvaluator Evaluator { get; } = new([], null);
    }
}
