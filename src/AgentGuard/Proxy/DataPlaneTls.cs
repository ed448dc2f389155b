using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace AgentGuard.Proxy;

/// <summary>
/// HTTPS on the data plane (<c>AgentGuard:Tls</c>): the server certificate, and, with a client CA,
/// client certificates required and checked against that CA alone (not the machine's trust store:
/// a certificate any public CA issued must not name an agent).
/// </summary>
internal static class DataPlaneTls
{
    public static void Configure(KestrelServerOptions kestrel, TlsOptions tls)
    {
        if (string.IsNullOrWhiteSpace(tls.CertificateFile))
        {
            return;
        }

        var certificate = LoadServerCertificate(tls);
        var authorities = string.IsNullOrWhiteSpace(tls.ClientCertificateAuthorityFile) ? null : LoadAuthorities(tls.ClientCertificateAuthorityFile);
        kestrel.ConfigureHttpsDefaults(https =>
        {
            https.ServerCertificate = certificate;
            if (authorities is not null)
            {
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (client, _, _) => ChainsTo(client, authorities);
            }
        });
    }

    /// <summary>Whether <paramref name="client"/> chains to one of <paramref name="authorities"/> and may authenticate a client.</summary>
    internal static bool ChainsTo(X509Certificate2 client, X509Certificate2Collection authorities)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2"));
        return chain.Build(client);
    }

    private static X509Certificate2 LoadServerCertificate(TlsOptions tls)
    {
        var path = tls.CertificateFile!;
        if (!string.IsNullOrWhiteSpace(tls.KeyFile))
        {
            return X509Certificate2.CreateFromPemFile(path, tls.KeyFile);
        }

        return X509CertificateLoader.LoadPkcs12FromFile(path, tls.Password);
    }

    private static X509Certificate2Collection LoadAuthorities(string path)
    {
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(path);
        if (authorities.Count == 0)
        {
            throw new InvalidOperationException($"AgentGuard:Tls:ClientCertificateAuthorityFile '{path}' holds no PEM certificate");
        }

        return authorities;
    }
}
