using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AgentGuard.Admin;

/// <summary>Loads the admin plane's certificate and checks it against the admin URL's scheme.</summary>
internal static class ReviewCertificate
{
    /// <summary>The certificate, or <see langword="null"/> when none is configured; each problem is added to <paramref name="errors"/>.</summary>
    public static X509Certificate2? Load(ReviewCertificateOptions options, string adminUrl, List<string> errors)
    {
        var https = adminUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            if (https)
            {
                errors.Add($"AgentGuard:Admin is {adminUrl}, but no certificate is configured; set AgentGuard:AdminCertificate:Path (a .pfx, or a PEM certificate with KeyPath), or use http:// on loopback.");
            }

            return null;
        }

        if (!https)
        {
            errors.Add($"AgentGuard:AdminCertificate:Path is set, but AgentGuard:Admin is {adminUrl}; use an https:// admin URL (e.g. https://0.0.0.0:9443) to serve it.");
            return null;
        }

        try
        {
            var certificate = options.KeyPath is { Length: > 0 } keyPath
                ? X509Certificate2.CreateFromPemFile(options.Path, keyPath)
                : X509CertificateLoader.LoadPkcs12FromFile(options.Path, options.Password);
            if (!certificate.HasPrivateKey)
            {
                errors.Add($"AgentGuard:AdminCertificate:Path '{options.Path}' has no private key; give a .pfx with its key, or a PEM certificate with AgentGuard:AdminCertificate:KeyPath.");
                return null;
            }

            return certificate;
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            errors.Add($"AgentGuard:AdminCertificate:Path '{options.Path}' cannot be loaded: {ex.Message}");
            return null;
        }
    }
}
