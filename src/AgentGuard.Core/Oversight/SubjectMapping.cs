using System.Text;

namespace AgentGuard.Oversight;

/// <summary>
/// How a subject's name becomes the value a mandated call must carry: the same string, lower case
/// with every run of other characters made one underscore (<c>Gemini Agent 2</c> to
/// <c>gemini_agent_2</c>), or a table; a name the table lacks maps to itself.
/// </summary>
public sealed class SubjectMapping
{
    /// <summary>The subject's name as it is.</summary>
    public static readonly SubjectMapping Same = new();

    /// <summary>Lower case, other characters to underscores.</summary>
    public static readonly SubjectMapping LowerSnake = new() { Snake = true };

    /// <summary>Whether names are made lower snake case.</summary>
    public bool Snake { get; init; }

    /// <summary>Subject name (any case) to value.</summary>
    public IReadOnlyDictionary<string, string>? Table { get; init; }

    /// <summary>The value a call must carry for <paramref name="subject"/>.</summary>
    public string Map(string subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var name = subject.Trim();
        if (Table is not null)
        {
            foreach (var (from, to) in Table)
            {
                if (string.Equals(from, name, StringComparison.OrdinalIgnoreCase))
                {
                    return to;
                }
            }
        }

        return Snake ? ToLowerSnake(name) : name;
    }

    /// <summary>Lower case, each run of characters that are not letters or digits made one underscore, none at the ends.</summary>
    public static string ToLowerSnake(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var text = new StringBuilder(name.Length);
        var pending = false;
        foreach (var c in name)
        {
            if (char.IsLetterOrDigit(c))
            {
                if (pending && text.Length > 0)
                {
                    text.Append('_');
                }

                pending = false;
                text.Append(char.ToLowerInvariant(c));
            }
            else
            {
                pending = true;
            }
        }

        return text.ToString();
    }
}
