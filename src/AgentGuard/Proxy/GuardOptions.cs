using System.ComponentModel.DataAnnotations;
using AgentGuard.Audit;

namespace AgentGuard.Proxy;

/// <summary>The <c>AgentGuard</c> configuration section.</summary>
public sealed class GuardOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "AgentGuard";

    /// <summary>The data-plane URL agents call. Default <c>http://127.0.0.1:8080</c>.</summary>
    [Required]
    public string Listen { get; set; } = "http://127.0.0.1:8080";

    /// <summary>The admin-plane URL (metrics, health, readiness, the reviewers' API). Default <c>http://127.0.0.1:9091</c>. Never the data-plane port.</summary>
    [Required]
    public string Admin { get; set; } = "http://127.0.0.1:9091";

    /// <summary>
    /// The bearer token the admin plane's <c>/api/*</c> routes (audit records, policy, reload) require.
    /// Default none: then <c>/api/*</c> answers loopback clients only. At least
    /// <see cref="MinAdminApiTokenLength"/> characters; give it from a secret, e.g. the environment
    /// variable <c>AgentGuard__AdminApiToken</c>. <c>/metrics</c>, <c>/healthz</c> and <c>/readyz</c> never need it.
    /// </summary>
    /// <remarks>
    /// A key of its own rather than <c>AgentGuard:Admin:ApiToken</c>: <c>AgentGuard:Admin</c> is the
    /// URL, and a JSON setting cannot be a string and a section at once.
    /// </remarks>
    public string? AdminApiToken { get; set; }

    /// <summary>The shortest accepted <see cref="AdminApiToken"/>: 16 characters.</summary>
    public const int MinAdminApiTokenLength = 16;

    /// <summary>Shorthand for one route that sends everything to this URL, inspected as MCP. Overrides the <c>ReverseProxy</c> section.</summary>
    public string? Upstream { get; set; }

    /// <summary>Policy files or folders. At least one.</summary>
    public List<string> Policies { get; set; } = [];

    /// <summary>Whether policy files are watched and reloaded on change. Default true.</summary>
    public bool WatchPolicies { get; set; } = true;

    /// <summary>The identity this sidecar vouches for (in gateway mode: the role of an agent whose credential names none).</summary>
    public AgentOptions Agent { get; set; } = new();

    /// <summary>Where an agent's identity comes from: this configuration (a sidecar), or each request's JWT or client certificate (a gateway).</summary>
    public IdentityOptions Identity { get; set; } = new();

    /// <summary>HTTPS on the data plane, and the client certificates that <see cref="IdentityMode.Mtls"/> reads.</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>Limits on inspected requests.</summary>
    public InspectionOptions Inspection { get; set; } = new();

    /// <summary>S3 routes (<c>AgentGuard.Inspect: s3</c>): the service's host names.</summary>
    public S3Options S3 { get; set; } = new();

    /// <summary>Evaluator oversight: the watched-versus-unwatched comparison and per-evaluator statistics (evaluations themselves are policy).</summary>
    public Oversight.OversightOptions Oversight { get; set; } = new();

    /// <summary>The tamper-evident audit log. Off unless <see cref="AuditOptions.Directory"/> is set.</summary>
    public AuditOptions Audit { get; set; } = new();

    /// <summary>Sessions: where they come from, when they end, and the evidence kept.</summary>
    public SessionOptions Sessions { get; set; } = new();

    /// <summary>The named reviewers who approve or deny held calls.</summary>
    public Admin.ReviewerOptions Reviewers { get; set; } = new();

    /// <summary>State shared with other replicas through PostgreSQL (holds, lineage, evidence). Off unless its connection string is set.</summary>
    public Shared.SharedStateOptions SharedState { get; set; } = new();

    /// <summary>The admin plane's TLS certificate; with it and an https:// <see cref="Admin"/> URL the admin plane serves HTTPS.</summary>
    public Admin.ReviewCertificateOptions AdminCertificate { get; set; } = new();

    /// <summary>How held calls wait for reviewers (<c>AgentGuard:Holds</c>).</summary>
    public HoldOptions Holds { get; set; } = new();
}

/// <summary>The <c>AgentGuard:Agent</c> section: who is behind this sidecar.</summary>
public sealed class AgentOptions
{
    /// <summary>The agent id. Default <c>agent</c>.</summary>
    public string Id { get; set; } = "agent";

    /// <summary>The agent role. Default <c>agent</c>.</summary>
    public string Role { get; set; } = "agent";
}

/// <summary>The <c>AgentGuard:Inspection</c> section.</summary>
public sealed class InspectionOptions
{
    /// <summary>The smallest accepted <see cref="MaxBodyBytes"/>: 1 KiB.</summary>
    public const int MinBodyBytes = 1024;

    /// <summary>The largest accepted <see cref="MaxBodyBytes"/>: 64 MiB.</summary>
    public const int MaxAllowedBodyBytes = 64 * 1024 * 1024;

    /// <summary>
    /// The largest inspected body, before and after decoding any Content-Encoding; a larger body is
    /// denied, never forwarded unseen. Default 4 MiB; range 1 KiB to 64 MiB.
    /// </summary>
    public int MaxBodyBytes { get; set; } = 4 * 1024 * 1024;
}
