namespace AgentGuard.Proxy;

/// <summary>The <c>AgentGuard:Identity</c> section: where an agent's identity comes from. A bare header never names an agent.</summary>
public sealed class IdentityOptions
{
    /// <summary><c>Sidecar</c> (default), <c>Jwt</c> or <c>Mtls</c>.</summary>
    public IdentityMode Mode { get; set; } = IdentityMode.Sidecar;

    /// <summary>How JWTs are checked and mapped to agents (<see cref="IdentityMode.Jwt"/>).</summary>
    public JwtIdentityOptions Jwt { get; set; } = new();

    /// <summary>How client certificates are mapped to agents (<see cref="IdentityMode.Mtls"/>).</summary>
    public CertificateIdentityOptions Certificate { get; set; } = new();
}

/// <summary>The <c>AgentGuard:Identity:Jwt</c> section.</summary>
public sealed class JwtIdentityOptions
{
    /// <summary>The required <c>iss</c>.</summary>
    public string? Issuer { get; set; }

    /// <summary>The required <c>aud</c> (one of the token's audiences).</summary>
    public string? Audience { get; set; }

    /// <summary>A JWKS file with the issuer's public keys. Re-read when it changes.</summary>
    public string? JwksFile { get; set; }

    /// <summary>A JWKS URL (HTTPS, or HTTP on loopback), fetched at start and every <see cref="JwksRefresh"/>, and again (at most once a minute) for a token signed by a key it does not hold.</summary>
    public string? JwksUrl { get; set; }

    /// <summary>How often the JWKS URL is fetched again. Default 10 minutes.</summary>
    public TimeSpan JwksRefresh { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The claim holding the agent id. Default <c>sub</c>.</summary>
    public string AgentClaim { get; set; } = "sub";

    /// <summary>The claim holding the agent's role. Default <c>role</c>; without it the role is <c>AgentGuard:Agent:Role</c>.</summary>
    public string RoleClaim { get; set; } = "role";

    /// <summary>The header carrying the token. Default <c>Authorization</c> (as <c>Bearer TOKEN</c>); S3 routes, whose Authorization is SigV4, need another (the raw token).</summary>
    public string Header { get; set; } = "Authorization";

    /// <summary>Tolerated clock difference for <c>exp</c> and <c>nbf</c>. Default 30 seconds.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>The <c>AgentGuard:Identity:Certificate</c> section.</summary>
public sealed class CertificateIdentityOptions
{
    /// <summary>Where the agent id is read: <c>cn</c> (the subject's common name, default), <c>uri</c> (the first URI subject alternative name, e.g. a SPIFFE id) or <c>dns</c>.</summary>
    public string AgentFrom { get; set; } = "cn";

    /// <summary>Whether the role is the subject's first organisational unit (<c>OU</c>). Default true; else, or without one, <c>AgentGuard:Agent:Role</c>.</summary>
    public bool RoleFromOrganizationalUnit { get; set; } = true;
}

/// <summary>The <c>AgentGuard:Tls</c> section: the data plane over HTTPS.</summary>
public sealed class TlsOptions
{
    /// <summary>The server certificate, PEM (with <see cref="KeyFile"/>) or PFX. Required when <c>Listen</c> is https.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>The PEM private key of <see cref="CertificateFile"/>.</summary>
    public string? KeyFile { get; set; }

    /// <summary>The password of a PFX <see cref="CertificateFile"/>.</summary>
    public string? Password { get; set; }

    /// <summary>PEM CA certificates that issue agents' client certificates: given, a client certificate is required and must chain to one of them.</summary>
    public string? ClientCertificateAuthorityFile { get; set; }
}
