namespace AgentGuard.Admin;

/// <summary>The named reviewers who may approve or deny held calls (<c>AgentGuard:Reviewers</c>).</summary>
public sealed class ReviewerOptions
{
    /// <summary>
    /// A YAML file listing each reviewer's name and the SHA-256 of their token
    /// (<c>reviewers: [{ name: alice, token_sha256: 64 hex digits }]</c>). Without it nobody can
    /// approve: approvals are always authenticated, loopback included.
    /// </summary>
    public string? File { get; set; }
}
