namespace AgentGuard.Effects.Shell;

/// <summary>How one command reads its options: which take a value, so that the value is not taken for an operand.</summary>
/// <param name="ShortWithValue">Short options that take a value (<c>-f FILE</c> or <c>-fFILE</c>).</param>
/// <param name="LongWithValue">Long options (without <c>--</c>) that take a value (<c>--file FILE</c> or <c>--file=FILE</c>).</param>
/// <param name="ShortOptionalValue">Short options whose value, if any, is attached (<c>sed -i.bak</c>, <c>perl -i.orig</c>).</param>
/// <param name="StopAtOperand">Options end at the first operand (wrappers, whose operands are a command with its own options).</param>
/// <param name="SingleDashLong">Options with one dash are long names (<c>find -name</c>, <c>java -jar</c>).</param>
internal sealed record ShellOptionSpec(
    string ShortWithValue = "",
    string[]? LongWithValue = null,
    string ShortOptionalValue = "",
    bool StopAtOperand = false,
    bool SingleDashLong = false)
{
    /// <summary>Options with no values.</summary>
    public static ShellOptionSpec Flags { get; } = new();

    public bool LongTakesValue(ReadOnlySpan<char> name)
    {
        if (LongWithValue is null)
        {
            return false;
        }

        foreach (var candidate in LongWithValue)
        {
            if (name.SequenceEqual(candidate))
            {
                return true;
            }
        }

        return false;
    }
}
