using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace AgentGuard.Admin;

/// <summary>
/// A bearer credential on the admin plane (the admin token, a reviewer's token): read from
/// <c>Authorization: Bearer TOKEN</c>, and known by its SHA-256 only, compared in constant time.
/// </summary>
internal static class BearerToken
{
    private const string Prefix = "Bearer ";

    /// <summary>The token of exactly one <c>Authorization: Bearer</c> value, trimmed; <see langword="null"/> otherwise.</summary>
    public static string? From(StringValues authorization)
        => authorization.Count == 1 && authorization[0] is { } value && value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
            ? value[Prefix.Length..].Trim()
            : null;

    /// <summary>Writes the SHA-256 of <paramref name="token"/> (as UTF-8) to <paramref name="hash"/>.</summary>
    public static void Hash(ReadOnlySpan<char> token, Span<byte> hash)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(token)];
        Encoding.UTF8.GetBytes(token, bytes);
        SHA256.HashData(bytes, hash);
    }

    /// <summary>Whether <paramref name="token"/>'s SHA-256 is <paramref name="expected"/>, compared in constant time.</summary>
    public static bool Matches(byte[] expected, ReadOnlySpan<char> token)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Hash(token, hash);
        return CryptographicOperations.FixedTimeEquals(hash, expected);
    }
}
