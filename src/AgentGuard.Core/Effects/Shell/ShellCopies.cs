namespace AgentGuard.Effects.Shell;

/// <summary>
/// Copy and move effects shared by cp, mv, install, scp and rsync: Effect(Copy|Move, source,
/// landing), Write on the landing path, everything under a recursive source, and SetTime on the
/// source when the copy gets a fresh timestamp.
/// </summary>
internal static class ShellCopies
{
    /// <summary>Where operands land.</summary>
    internal enum Landing
    {
        /// <summary>The destination is the new file's name.</summary>
        AsFile,

        /// <summary>The destination is a directory: sources land under it by their names.</summary>
        IntoDirectory,

        /// <summary>Not known statically (one source, a destination that may be a directory): both.</summary>
        Either,

        /// <summary>The source's contents land in the destination (<c>rsync dir/ dest</c>).</summary>
        Contents,
    }

    public static void Add(
        ShellEffectCollector collector,
        EffectKind kind,
        ShellResource source,
        ShellResource destination,
        Landing landing,
        bool recursive,
        bool freshTime)
    {
        if (source.IsEmpty || destination.IsEmpty)
        {
            return;
        }

        if (landing is Landing.AsFile or Landing.Either or Landing.Contents)
        {
            AddOne(collector, kind, source, destination, recursive);
        }

        if (landing is Landing.IntoDirectory || (landing is Landing.Either && ShellPaths.MayBeDirectory(destination)))
        {
            AddOne(collector, kind, source, ShellPaths.Landing(destination, source), recursive);
        }

        if (freshTime && kind == EffectKind.Copy)
        {
            collector.Add(EffectKind.SetTime, source);
            if (recursive)
            {
                collector.Add(EffectKind.SetTime, ShellPaths.Under(source));
            }
        }
    }

    /// <summary>How a copy with these operands lands.</summary>
    public static Landing LandingOf(int sourceCount, string destinationText, bool targetDirectory)
        => targetDirectory || sourceCount > 1 || destinationText.EndsWith('/') || destinationText.EndsWith(':') || destinationText is "." or ".."
            ? Landing.IntoDirectory
            : Landing.Either;

    private static void AddOne(ShellEffectCollector collector, EffectKind kind, ShellResource source, ShellResource landing, bool recursive)
    {
        collector.Add(kind, source, landing);
        collector.Add(EffectKind.Write, landing);
        if (recursive && ShellPaths.MayBeDirectory(source))
        {
            var under = ShellPaths.Under(landing);
            collector.Add(kind, ShellPaths.Under(source), under);
            collector.Add(EffectKind.Write, under);
        }
    }

}
