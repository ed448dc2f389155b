using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AgentGuard.S3;

/// <summary>
/// Checks an AWS Signature Version 4 <c>Authorization</c> header against the request as it arrived,
/// as S3 does: the canonical request from the method, the path as sent, the query, the signed
/// headers' values (Host included) and the payload hash, signed with the secret key. s3rver 3.7.1
/// checks only the access key of a SigV4 request ("Signature version 4 calculation is
/// unimplemented" in its authentication middleware), so the tests verify signatures here.
/// </summary>
internal static class SigV4Verifier
{
    /// <summary>A request as the store received it.</summary>
    /// <param name="Method">The HTTP method.</param>
    /// <param name="RawTarget">The request target as sent: path, still percent-encoded, and query.</param>
    /// <param name="Header">Reads one header's value as received, by name (case-insensitive).</param>
    /// <param name="Body">The body as received.</param>
    public sealed record Received(string Method, string RawTarget, Func<string, string?> Header, byte[] Body);

    /// <returns><see langword="null"/> when the signature is valid, otherwise what does not match.</returns>
    public static string? Verify(Received request, string secretKey)
    {
        var authorization = request.Header("Authorization");
        if (authorization is null || !authorization.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal))
        {
            return "no SigV4 Authorization header";
        }

        var parts = authorization["AWS4-HMAC-SHA256 ".Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var scope = parts["Credential"][(parts["Credential"].IndexOf('/', StringComparison.Ordinal) + 1)..];
        var signedHeaders = parts["SignedHeaders"];
        var payloadHash = request.Header("x-amz-content-sha256") ?? "UNSIGNED-PAYLOAD";
        if (payloadHash.Length == 64 && Convert.ToHexStringLower(SHA256.HashData(request.Body)) != payloadHash)
        {
            return "the body's SHA-256 is not x-amz-content-sha256";
        }

        var mark = request.RawTarget.IndexOf('?', StringComparison.Ordinal);
        var path = mark < 0 ? request.RawTarget : request.RawTarget[..mark];
        var query = mark < 0 ? string.Empty : request.RawTarget[(mark + 1)..];
        var canonical = new StringBuilder()
            .Append(request.Method).Append('\n')
            .Append(path).Append('\n')
            .Append(CanonicalQuery(query)).Append('\n');
        foreach (var name in signedHeaders.Split(';'))
        {
            var value = request.Header(name);
            if (value is null)
            {
                return $"signed header '{name}' is missing";
            }

            canonical.Append(name).Append(':').Append(string.Join(' ', value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))).Append('\n');
        }

        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        var date = request.Header("x-amz-date") ?? string.Empty;
        var toSign = "AWS4-HMAC-SHA256\n" + date + "\n" + scope + "\n" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
        var scopeParts = scope.Split('/');
        var key = Encoding.UTF8.GetBytes("AWS4" + secretKey);
        foreach (var part in scopeParts)
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));
        return expected == parts["Signature"] ? null : "signature does not match the request as received:\n" + canonical;
    }

    private static string CanonicalQuery(string query)
    {
        if (query.Length == 0)
        {
            return string.Empty;
        }

        var pairs = query.Split('&').Select(p =>
        {
            var equals = p.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? p : p[..equals]);
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(p[(equals + 1)..]);
            return (Name: Encode(name), Value: Encode(value));
        }).OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    private static string Encode(string value)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
