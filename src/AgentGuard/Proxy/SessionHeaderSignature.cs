using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AgentGuard.Proxy;

/// <summary>
/// Checks an orchestrator header signed as <c>&lt;value&gt;.&lt;unix-seconds&gt;.&lt;hex HMAC-SHA256 over "&lt;value&gt;.&lt;unix-seconds&gt;"&gt;</c>
/// with a key the agent cannot read: the agent's side can set any header, so only a value the
/// orchestrator signed recently names a session (or says it is watched).
/// </summary>
internal sealed class SessionHeaderSignature(byte[] key, TimeSpan maxAge)
{
    private const int MacHexLength = 64;

    /// <summary>The value when <paramref name="header"/> is signed with the key and its time is within the maximum age of <paramref name="now"/>.</summary>
    public SessionHeaderCheck Check(string header, DateTimeOffset now, out string? value)
    {
        value = null;
        var macDot = header.LastIndexOf('.');
        if (macDot <= 0 || header.Length - macDot - 1 != MacHexLength)
        {
            return SessionHeaderCheck.Unsigned;
        }

        var timeDot = header.LastIndexOf('.', macDot - 1);
        if (timeDot <= 0 || !long.TryParse(header.AsSpan(timeDot + 1, macDot - timeDot - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return SessionHeaderCheck.Unsigned;
        }

        Span<byte> claimed = stackalloc byte[MacHexLength / 2];
        if (Convert.FromHexString(header.AsSpan(macDot + 1), claimed, out _, out var written) != System.Buffers.OperationStatus.Done || written != claimed.Length)
        {
            return SessionHeaderCheck.Unsigned;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        var signed = Encoding.UTF8.GetBytes(header, 0, macDot);
        HMACSHA256.HashData(key, signed, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, claimed))
        {
            return SessionHeaderCheck.BadSignature;
        }

        var age = now - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253402300799));
        if (age > maxAge || age < -maxAge)
        {
            return SessionHeaderCheck.Expired;
        }

        value = header[..timeDot];
        return SessionHeaderCheck.Trusted;
    }

    /// <summary>Signs <paramref name="value"/> at <paramref name="time"/>: what an orchestrator sends.</summary>
    public static string Sign(byte[] key, string value, DateTimeOffset time)
    {
        var signed = value + "." + time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return signed + "." + Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(signed)));
    }
}
