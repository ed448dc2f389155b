using System.Text.Json;
using AgentGuard.Content;

namespace AgentGuard.Effects;

/// <summary>
/// The argument of a write or egress whose value is the file content itself (a mapping's
/// <c>content: "{content}"</c>, with <c>encoding:</c>): the content is sniffed for model formats, so
/// weights written under a neutral name are still weights.
/// </summary>
/// <param name="Argument">The argument, one placeholder such as <c>{content}</c> or <c>{file.data}</c>.</param>
/// <param name="Encoding">How the argument carries the content.</param>
public sealed record ContentTemplate(ArgumentTemplate Argument, ContentEncoding Encoding)
{
    /// <summary>The policy-file names of <see cref="ContentEncoding"/>s, in its order.</summary>
    public static readonly string[] EncodingNames = ["auto", "text", "base64"];

    /// <summary>
    /// Sniffs every value the argument binds into <paramref name="values"/> (emptied first) and
    /// returns the first model format found, or <see langword="null"/>.
    /// </summary>
    /// <returns><see langword="null"/> on success, otherwise why the content could not be bound.</returns>
    public string? Sniff(JsonElement arguments, List<JsonElement> values, out ModelFormat? format)
    {
        format = null;
        values.Clear();
        if (Argument.BindValues(arguments, values) is { } error)
        {
            return error;
        }

        foreach (var value in values)
        {
            if ((format = ArgumentContent.Sniff(value, Encoding)) is not null)
            {
                break;
            }
        }

        return null;
    }
}
