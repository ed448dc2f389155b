using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using AgentGuard.Effects.Shell;

namespace AgentGuard.Effects;

/// <summary>
/// A shell tool's mapping (<c>kind: shell</c>): which arguments may hold the command, the host the
/// shell runs on and its working directory. Extraction hands the command to
/// <see cref="ShellAnalyzer"/> and keeps the effects it finds.
/// </summary>
/// <remarks>
/// Binding errs towards more, as <see cref="ArgumentTemplate"/> does: every named argument that is
/// present is analysed (any case of its name), an argv array (<c>["bash", "-lc", "..."]</c>) is
/// analysed as argv, and a string that is itself a JSON array of strings is analysed both ways, so
/// a tool server that is lenient about where or how the command comes cannot run one the guard did
/// not read.
/// </remarks>
public sealed class ShellTemplate
{
    private static readonly string TooLong = $"shell command is longer than {ShellParser.MaxLength} characters, more than the guard reads";

    private readonly string[][] _commandPaths;

    // Per thread, not per call: extraction never re-enters itself, and the lists are emptied after each call.
    [ThreadStatic]
    private static Scratch? t_scratch;

    /// <summary>Creates a shell mapping.</summary>
    /// <param name="commandArguments">The argument names that may hold the command, e.g. <c>command</c>, <c>cmd</c>, <c>input.command</c>.</param>
    /// <param name="host">The host the shell runs on (empty: the guard's own machine, <c>file:///</c> paths).</param>
    /// <param name="workingDirectory">The shell's starting directory, or <see langword="null"/> when the mapping gives none.</param>
    public ShellTemplate(IReadOnlyList<string> commandArguments, ArgumentTemplate host, ArgumentTemplate? workingDirectory)
    {
        ArgumentOutOfRangeException.ThrowIfZero(commandArguments.Count);
        CommandArguments = commandArguments;
        _commandPaths = new string[commandArguments.Count][];
        for (var i = 0; i < commandArguments.Count; i++)
        {
            _commandPaths[i] = commandArguments[i].Split('.');
        }

        Host = host;
        WorkingDirectory = workingDirectory;
    }

    /// <summary>The argument names that may hold the command, in the order the policy gives them.</summary>
    public IReadOnlyList<string> CommandArguments { get; }

    /// <summary>The host the shell runs on.</summary>
    public ArgumentTemplate Host { get; }

    /// <summary>The shell's starting directory; <see langword="null"/> or an empty expansion when unknown.</summary>
    public ArgumentTemplate? WorkingDirectory { get; }

    /// <summary>Whether <paramref name="name"/> can name a command argument (a name, or dotted names for a nested one).</summary>
    public static string? ValidateArgumentName(string name)
    {
        foreach (var segment in name.Split('.'))
        {
            if (segment.Length == 0 || segment.AsSpan().ContainsAny("{}[]*| "))
            {
                return $"'{name}' is not an argument name (use a name such as command, or outer.inner for a nested one)";
            }
        }

        return null;
    }

    /// <summary>Analyses the command in <paramref name="arguments"/> and appends its effects.</summary>
    /// <returns><see langword="null"/> on success, otherwise why the call cannot be understood.</returns>
    public string? Extract(JsonElement arguments, List<Effect> effects)
    {
        // Taken from the thread while in use: an extraction that somehow ran inside this one would make its own.
        var scratch = t_scratch ?? new Scratch();
        t_scratch = null;
        try
        {
            return Extract(arguments, effects, scratch);
        }
        finally
        {
            // Arguments are the agent's data: keep none of it on the thread after the call.
            scratch.Clear();
            t_scratch = scratch;
        }
    }

    private string? Extract(JsonElement arguments, List<Effect> effects, Scratch scratch)
    {
        var commands = scratch.Commands;
        foreach (var path in _commandPaths)
        {
            Find(arguments, path, 0, commands);
        }

        if (commands.Count == 0)
        {
            return CommandArguments.Count == 1
                ? $"shell call has no command: argument '{CommandArguments[0]}' is missing"
                : $"shell call has no command: none of the arguments {string.Join(", ", CommandArguments)} is given";
        }

        var hosts = scratch.Hosts;
        var error = Host.Expand(arguments, hosts);
        if (error is not null)
        {
            return error;
        }

        var directories = scratch.Directories;
        if (WorkingDirectory is not null && (error = WorkingDirectory.Expand(arguments, directories)) is not null)
        {
            return error;
        }

        if (directories.Count == 0)
        {
            directories.Add(string.Empty);
        }

        if ((long)hosts.Count * directories.Count * commands.Count > ArgumentTemplate.MaxExpansions)
        {
            return $"arguments expand to more than {ArgumentTemplate.MaxExpansions} shell commands";
        }

        foreach (var host in hosts)
        {
            foreach (var directory in directories)
            {
                var workingDirectory = directory.Length == 0 ? null : directory;
                foreach (var command in commands)
                {
                    error = Analyze(command, host, workingDirectory, effects, scratch.Effects);
                    if (error is not null)
                    {
                        return error;
                    }
                }
            }
        }

        return null;
    }

    private static string? Analyze(JsonElement command, string host, string? workingDirectory, List<Effect> effects, List<Effect> found)
    {
        switch (command.ValueKind)
        {
            case JsonValueKind.String:
                var text = command.GetString()!;
                if (text.Length > ShellParser.MaxLength)
                {
                    // The parser reads no further than its limit: the rest could not be judged.
                    return TooLong;
                }

                found.Clear();
                ShellAnalyzer.Analyze(text, host, workingDirectory, found);
                var error = Append(found, effects);
                if (error is null && text.AsSpan().TrimStart().StartsWith('[') && Argv(text) is { } argv)
                {
                    // A string holding a JSON argv: a tool server may decode it and run argv.
                    error = Append(ShellAnalyzer.Analyze(argv, new ShellContext(host, workingDirectory)), effects);
                }

                return error;
            case JsonValueKind.Array:
                var words = new List<string>(command.GetArrayLength());
                long length = 0;
                foreach (var item in command.EnumerateArray())
                {
                    switch (item.ValueKind)
                    {
                        case JsonValueKind.String:
                            words.Add(item.GetString()!);
                            break;
                        case JsonValueKind.Number:
                        case JsonValueKind.True:
                        case JsonValueKind.False:
                            words.Add(item.GetRawText());
                            break;
                        default:
                            return $"a shell argv array holds a JSON {Name(item.ValueKind)} where a word is expected";
                    }

                    if ((length += words[^1].Length + 1) > ShellParser.MaxLength)
                    {
                        return TooLong;
                    }
                }

                return words.Count == 0 ? null : Append(ShellAnalyzer.Analyze(words, new ShellContext(host, workingDirectory)), effects);
            default:
                return $"a shell command argument holds a JSON {Name(command.ValueKind)} where a command string or argv array is expected";
        }
    }

    private static string? Append(ShellAnalysis analysis, List<Effect> effects) => Append(analysis.Effects, effects);

    private static string? Append(IReadOnlyList<Effect> found, List<Effect> effects)
    {
        effects.EnsureCapacity(effects.Count + found.Count);
        for (var i = 0; i < found.Count; i++)
        {
            var effect = found[i];
            var resource = Canonical(effect.Resource, (effect.Flags & EffectFlags.ResourcePattern) != 0, out var error);
            if (resource is null)
            {
                return error;
            }

            var destination = effect.Destination;
            if (destination is not null)
            {
                destination = Canonical(destination, (effect.Flags & EffectFlags.DestinationPattern) != 0, out error);
                if (destination is null)
                {
                    return error;
                }
            }

            effects.Add(ReferenceEquals(resource, effect.Resource) && ReferenceEquals(destination, effect.Destination)
                ? effect
                : effect with { Resource = resource, Destination = destination });
        }

        return null;
    }

    /// <summary>
    /// The canonical form of a file the analyser named (its paths are normalised, not yet
    /// percent-decoded, Unicode-folded or checked for control characters). Patterns keep their
    /// metacharacters (the canonicaliser would take <c>\</c> for a path separator); URLs are
    /// canonical already (decoding them twice would turn <c>%2541</c> into <c>A</c>), as are the
    /// analyser's own names (<c>shell:opaque</c>, <c>service://</c>, <c>process://</c>...).
    /// </summary>
    private static string? Canonical(string resource, bool pattern, out string? error)
    {
        error = null;
        if (pattern || !(resource.StartsWith("file://", StringComparison.Ordinal) || resource.StartsWith("host://", StringComparison.Ordinal)))
        {
            return resource;
        }

        return ResourceCanonicalizer.IsCanonical(resource) ? resource : ResourceCanonicalizer.Canonicalize(resource, out error);
    }

    private static List<string>? Argv(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.GetArrayLength() == 0)
            {
                return null;
            }

            var words = new List<string>();
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    return null;
                }

                words.Add(item.GetString()!);
            }

            return words;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Appends every non-null value at <paramref name="path"/> (names in any case; arrays on the way are looked into).</summary>
    private static void Find(JsonElement element, string[] path, int depth, List<JsonElement> found)
    {
        if (depth == path.Length)
        {
            if (element.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
            {
                found.Add(element);
            }

            return;
        }

        if (element.ValueKind == JsonValueKind.Array && depth > 0)
        {
            foreach (var item in element.EnumerateArray())
            {
                Find(item, path, depth, found);
            }

            return;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (NameIs(property, path[depth]))
            {
                Find(property.Value, path, depth + 1, found);
            }
        }
    }

    /// <summary>Whether the property's name is <paramref name="name"/> in any case, read without making a string of it when both are plain ASCII.</summary>
    private static bool NameIs(JsonProperty property, string name)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        if (raw.IndexOf((byte)'\\') < 0 && Ascii.IsValid(raw) && Ascii.IsValid(name))
        {
            // Unescaped ASCII is one byte per character, and ignoring case over ASCII is what OrdinalIgnoreCase does there.
            return Ascii.EqualsIgnoreCase(raw, name);
        }

        return string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase);
    }

    private static string Name(JsonValueKind kind) => kind.ToString().ToLowerInvariant();

    private sealed class Scratch
    {
        public List<JsonElement> Commands { get; } = [];

        public List<string> Hosts { get; } = [];

        public List<string> Directories { get; } = [];

        /// <summary>One analysis's effects before they are canonicalised into the call's list.</summary>
        public List<Effect> Effects { get; } = new(8);

        public void Clear()
        {
            Clear(Commands);
            Clear(Hosts);
            Clear(Directories);
            Clear(Effects);
        }

        // A thread keeps no more room than one expansion limit's worth.
        private static void Clear<T>(List<T> list)
        {
            list.Clear();
            if (list.Capacity > ArgumentTemplate.MaxExpansions)
            {
                list.Capacity = 0;
            }
        }
    }
}
