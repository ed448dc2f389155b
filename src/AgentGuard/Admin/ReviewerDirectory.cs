using System.Security.Cryptography;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AgentGuard.Admin;

/// <summary>
/// Who the reviewers are: names and the SHA-256 of each one's token, from the reviewers file. A
/// presented token names its reviewer, so two approvals come from two people and the audit log
/// names them. Only hashes are kept, compared in constant time.
/// </summary>
internal sealed class ReviewerDirectory
{
    private readonly (string Name, byte[] Hash)[] _reviewers;

    private ReviewerDirectory((string Name, byte[] Hash)[] reviewers) => _reviewers = reviewers;

    /// <summary>A directory with nobody in it: every approval is refused.</summary>
    public static ReviewerDirectory Empty { get; } = new([]);

    /// <summary>The reviewers' names.</summary>
    public IEnumerable<string> Names => _reviewers.Select(r => r.Name);

    /// <summary>The reviewer whose token is <paramref name="token"/>, or <see langword="null"/>.</summary>
    public string? Authenticate(ReadOnlySpan<char> token)
    {
        token = token.Trim();
        if (token.IsEmpty || _reviewers.Length == 0)
        {
            return null;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        BearerToken.Hash(token, hash);
        string? found = null;

        // Every entry is compared, so the time taken does not say which one matched.
        foreach (var (name, expected) in _reviewers)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                found = name;
            }
        }

        return found;
    }

    /// <summary>The hex SHA-256 of a token, as the reviewers file holds it.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token.Trim())));

    /// <summary>Loads the reviewers file; each problem is added to <paramref name="errors"/> (and the directory is then empty).</summary>
    public static ReviewerDirectory Load(string? path, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return Empty;
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"AgentGuard:Reviewers:File '{path}' cannot be read: {ex.Message}");
            return Empty;
        }

        var before = errors.Count;
        var reviewers = Parse(text, path, errors);
        return errors.Count > before ? Empty : new ReviewerDirectory([.. reviewers]);
    }

    internal static List<(string Name, byte[] Hash)> Parse(string text, string path, List<string> errors)
    {
        var reviewers = new List<(string Name, byte[] Hash)>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            errors.Add($"{path}:{ex.Start.Line}: not valid YAML: {ex.Message}");
            return reviewers;
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root
            || !root.Children.TryGetValue(new YamlScalarNode("reviewers"), out var listNode) || listNode is not YamlSequenceNode list)
        {
            errors.Add($"{path}: expected one document with a 'reviewers' list");
            return reviewers;
        }

        foreach (var item in list)
        {
            var line = item.Start.Line;
            if (item is not YamlMappingNode entry)
            {
                errors.Add($"{path}:{line}: each reviewer is a mapping with 'name' and 'token_sha256'");
                continue;
            }

            string? name = null, hash = null;
            foreach (var (keyNode, valueNode) in entry.Children)
            {
                var key = (keyNode as YamlScalarNode)?.Value;
                var value = (valueNode as YamlScalarNode)?.Value;
                switch (key)
                {
                    case "name":
                        name = value?.Trim();
                        break;
                    case "token_sha256":
                        hash = value?.Trim();
                        break;
                    default:
                        errors.Add($"{path}:{keyNode.Start.Line}: unknown key '{key}' (a reviewer has 'name' and 'token_sha256')");
                        break;
                }
            }

            if (string.IsNullOrEmpty(name))
            {
                errors.Add($"{path}:{line}: a reviewer needs a 'name'");
            }
            else if (reviewers.Exists(r => string.Equals(r.Name, name, StringComparison.Ordinal)))
            {
                errors.Add($"{path}:{line}: reviewer '{name}' is listed twice");
            }
            else if (hash is not { Length: 64 } || !hash.All(char.IsAsciiHexDigit))
            {
                errors.Add($"{path}:{line}: reviewer '{name}' needs 'token_sha256', 64 hex digits (agentguard reviewers hash TOKEN prints it)");
            }
            else if (reviewers.Exists(r => Convert.ToHexStringLower(r.Hash) == hash.ToLowerInvariant()))
            {
                errors.Add($"{path}:{line}: reviewer '{name}' has the same token as another: each reviewer needs a token of their own");
            }
            else
            {
                reviewers.Add((name, Convert.FromHexString(hash)));
            }
        }

        return reviewers;
    }
}
