namespace AgentGuard.Effects.Shell;

/// <summary>
/// One entry of ShellAnalyzerTable.txt: a command, whether it is hostile, the effects it must have,
/// and the shipped policy's decision on it (<c>= deny weight-exfiltration</c>, <c>= allow</c>).
/// </summary>
public sealed record ShellAnalyzerTableCase(string Command, bool Hostile, IReadOnlyList<string> Effects, int Line, string? Decision = null)
{
    public const string FileName = "ShellAnalyzerTable.txt";

    /// <summary>Reads the table next to the test assembly.</summary>
    public static IReadOnlyList<ShellAnalyzerTableCase> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Effects", "Shell", FileName);
        var cases = new List<ShellAnalyzerTableCase>();
        string? command = null;
        var hostile = false;
        var line = 0;
        var effects = new List<string>();
        string? decision = null;
        var number = 0;
        foreach (var text in File.ReadLines(path))
        {
            number++;
            if (text.StartsWith("$ ", StringComparison.Ordinal))
            {
                Flush();
                hostile = text[2] == 'H';
                command = text[4..].Replace("⏎", "\n", StringComparison.Ordinal);
                line = number;
            }
            else if (text.StartsWith("  = ", StringComparison.Ordinal) && command is not null)
            {
                decision = text[4..].Trim();
            }
            else if (text.StartsWith("  ", StringComparison.Ordinal) && command is not null)
            {
                effects.Add(text.Trim());
            }
        }

        Flush();
        return cases;

        void Flush()
        {
            if (command is not null)
            {
                cases.Add(new ShellAnalyzerTableCase(command, hostile, effects.ToArray(), line, decision));
                effects.Clear();
                decision = null;
            }
        }
    }

    /// <summary>An effect as the table writes it: <c>kind resource [-&gt; destination] [[P,DP,O]]</c>.</summary>
    public static string Format(Effect effect)
    {
        var text = EffectKinds.Name(effect.Kind) + " " + effect.Resource;
        if (effect.Destination is not null)
        {
            text += " -> " + effect.Destination;
        }

        var flags = new List<string>(3);
        if ((effect.Flags & EffectFlags.ResourcePattern) != 0)
        {
            flags.Add("P");
        }

        if ((effect.Flags & EffectFlags.DestinationPattern) != 0)
        {
            flags.Add("DP");
        }

        if ((effect.Flags & EffectFlags.Opaque) != 0)
        {
            flags.Add("O");
        }

        return flags.Count == 0 ? text : text + " [" + string.Join(",", flags) + "]";
    }

    public override string ToString() => $"{Line}: {Command.Replace("\n", "⏎", StringComparison.Ordinal)}";
}
