namespace AgentGuard.Effects.Shell;

/// <summary>A command's arguments split into options and operands by its <see cref="ShellOptionSpec"/>.</summary>
/// <remarks>
/// Instances are pooled per thread (a handler disposes its arguments when done; nested commands
/// take their own): parsing options is on the path of every shell call, and three lists per
/// command were a third of the analyser's allocations.
/// </remarks>
internal sealed class ShellArguments : IDisposable
{
    [ThreadStatic]
    private static Stack<ShellArguments>? pool;

    public List<ShellOption> Options { get; } = new(4);

    public List<ShellWord> Operands { get; } = new(4);

    /// <summary>With <see cref="ShellOptionSpec.StopAtOperand"/>: the index in the word list of the first operand, or the list's length.</summary>
    public int OperandStart { get; private set; }

    /// <summary>Splits <paramref name="words"/> from <paramref name="start"/> on.</summary>
    public static ShellArguments Parse(IReadOnlyList<ShellWord> words, int start, ShellOptionSpec spec)
    {
        var result = pool is { Count: > 0 } ? pool.Pop() : new ShellArguments();
        var i = start;
        for (; i < words.Count; i++)
        {
            var word = words[i];
            var text = word.Text;
            if (text.Length < 2 || text[0] != '-' || word.IsOpaque)
            {
                if (spec.StopAtOperand)
                {
                    break;
                }

                result.Operands.Add(word);
                continue;
            }

            if (text == "--")
            {
                i++;
                if (spec.StopAtOperand)
                {
                    break;
                }

                for (; i < words.Count; i++)
                {
                    result.Operands.Add(words[i]);
                }

                break;
            }

            if (text[1] == '-' || spec.SingleDashLong)
            {
                var nameStart = text[1] == '-' ? 2 : 1;
                var equals = text.IndexOf('=', nameStart);
                if (equals > 0)
                {
                    result.Options.Add(new ShellOption('\0', text[nameStart..equals], word with { Text = text[(equals + 1)..] }));
                    continue;
                }

                var name = text[nameStart..];
                if (spec.LongTakesValue(name) && i + 1 < words.Count)
                {
                    result.Options.Add(new ShellOption('\0', name, words[++i]));
                }
                else
                {
                    result.Options.Add(new ShellOption('\0', name, null));
                }

                continue;
            }

            for (var j = 1; j < text.Length; j++)
            {
                var c = text[j];
                if (spec.ShortWithValue.Contains(c))
                {
                    if (j + 1 < text.Length)
                    {
                        result.Options.Add(new ShellOption(c, null, word with { Text = text[(j + 1)..] }));
                    }
                    else
                    {
                        result.Options.Add(new ShellOption(c, null, i + 1 < words.Count ? words[++i] : null));
                    }

                    break;
                }

                if (spec.ShortOptionalValue.Contains(c))
                {
                    result.Options.Add(new ShellOption(c, null, j + 1 < text.Length ? word with { Text = text[(j + 1)..] } : null));
                    break;
                }

                result.Options.Add(new ShellOption(c, null, null));
            }
        }

        result.OperandStart = i;
        return result;
    }

    /// <summary>Returns the instance to the pool; it must not be used after.</summary>
    public void Dispose()
    {
        Options.Clear();
        Operands.Clear();
        OperandStart = 0;
        pool ??= new Stack<ShellArguments>(4);
        if (pool.Count < 16)
        {
            pool.Push(this);
        }
    }

    public bool Has(char name)
    {
        foreach (var option in Options)
        {
            if (option.Is(name))
            {
                return true;
            }
        }

        return false;
    }

    public bool Has(string name)
    {
        foreach (var option in Options)
        {
            if (option.Is(name))
            {
                return true;
            }
        }

        return false;
    }

    public bool Has(char name, string longName) => Has(name) || Has(longName);

    /// <summary>The value of the last occurrence of the option, or <see langword="null"/>.</summary>
    public ShellWord? Value(char name, string? longName = null)
    {
        ShellWord? value = null;
        foreach (var option in Options)
        {
            if (option.Is(name) || (longName is not null && option.Is(longName)))
            {
                value = option.Value ?? value;
            }
        }

        return value;
    }

    public ShellWord? Value(string longName)
    {
        ShellWord? value = null;
        foreach (var option in Options)
        {
            if (option.Is(longName))
            {
                value = option.Value ?? value;
            }
        }

        return value;
    }
}
