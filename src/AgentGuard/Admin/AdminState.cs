using System.Security.Cryptography;
using System.Text;
using AgentGuard.Audit;

namespace AgentGuard.Admin;

/// <summary>What the admin plane reports on besides the policy: the audit log, when there is one, and the API token's hash.</summary>
internal sealed class AdminState
{
    public AdminState(AuditLog? audit, string? apiToken)
    {
        Audit = audit;

        // Only the hash is kept: comparing hashes takes the same time whatever the presented
        // token's length or first wrong byte.
        ApiTokenHash = apiToken is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(apiToken.Trim()));
    }

    public AuditLog? Audit { get; }

    /// <summary>The SHA-256 of <c>AgentGuard:AdminApiToken</c>, or <see langword="null"/> when none is configured (then /api/* is loopback-only).</summary>
    public byte[]? ApiTokenHash { get; }
}
