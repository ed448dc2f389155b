namespace AgentGuard.Admin;

/// <summary>
/// The admin plane's TLS certificate (<c>AgentGuard:AdminCertificate</c>): with it, and an
/// <c>https://</c> admin URL, the admin plane serves HTTPS, the review page's cookie is
/// <c>Secure</c>, and reviewers may log in from other machines.
/// </summary>
public sealed class ReviewCertificateOptions
{
    /// <summary>A PKCS#12 file (<c>.pfx</c>, <c>.p12</c>) holding the certificate and its key, or a PEM certificate (with <see cref="KeyPath"/>). Default none: plain HTTP.</summary>
    public string? Path { get; set; }

    /// <summary>The PEM private key, when <see cref="Path"/> is a PEM certificate.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The PKCS#12 file's password, if any; give it from a secret (<c>AgentGuard__AdminCertificate__Password</c>).</summary>
    public string? Password { get; set; }
}
