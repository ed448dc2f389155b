using System.Security.Cryptography;

namespace AgentGuard.Proxy;

/// <summary>The reference an agent is shown for a denial, and that the log records next to the rule.</summary>
internal static class AuditReference
{
    /// <summary>A new random reference: 16 hex digits, unguessable and unique in practice.</summary>
    public static string Create()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
