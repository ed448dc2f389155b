using System.Security.Cryptography.X509Certificates;

namespace AgentGuard.Proxy;

/// <summary>
/// Step 1 of the flow in gateway mode: the agent of a request from its credential, a JWT or the TLS
/// client certificate, never from a header that merely names it. The JWT's header is removed before
/// the tool server sees the request: a credential for the guard is not passed through.
/// </summary>
internal sealed class AgentAuthenticator(IdentityOptions identity, string defaultRole, JwtAgentTokens? tokens)
{
    private const string BearerPrefix = "Bearer ";

    /// <summary>Whether requests carry their agent (a gateway); false for a sidecar, whose agent is configuration.</summary>
    public bool Enabled => identity.Mode != IdentityMode.Sidecar;

    public ValueTask<AgentAuthentication> AuthenticateAsync(HttpContext context) => identity.Mode switch
    {
        IdentityMode.Jwt => FromTokenAsync(context),
        IdentityMode.Mtls => ValueTask.FromResult(FromCertificate(context.Connection.ClientCertificate)),
        _ => ValueTask.FromResult(AgentAuthentication.Refused("no gateway identity is configured")),
    };

    private ValueTask<AgentAuthentication> FromTokenAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        var name = identity.Jwt.Header;
        if (!headers.TryGetValue(name, out var values) || values.Count != 1 || values[0] is not { Length: > 0 } value)
        {
            return ValueTask.FromResult(AgentAuthentication.Refused($"no token in the {name} header"));
        }

        var bearer = value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase);
        if (!bearer && name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
        {
            return ValueTask.FromResult(AgentAuthentication.Refused("the Authorization header is not a bearer token"));
        }

        headers.Remove(name);
        var token = (bearer ? value[BearerPrefix.Length..] : value).Trim();
        return tokens!.AuthenticateAsync(token);
    }

    private AgentAuthentication FromCertificate(X509Certificate2? certificate)
    {
        // Kestrel has already checked the chain against the configured CA; the certificate is the agent's.
        if (certificate is null)
        {
            return AgentAuthentication.Refused("no client certificate");
        }

        var options = identity.Certificate;
        var id = options.AgentFrom.ToLowerInvariant() switch
        {
            "uri" => certificate.GetNameInfo(X509NameType.UrlName, forIssuer: false),
            "dns" => certificate.GetNameInfo(X509NameType.DnsName, forIssuer: false),
            _ => certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false),
        };
        if (string.IsNullOrWhiteSpace(id))
        {
            return AgentAuthentication.Refused($"the client certificate has no {options.AgentFrom} naming the agent");
        }

        var role = options.RoleFromOrganizationalUnit ? OrganizationalUnit(certificate.SubjectName) : null;
        return AgentAuthentication.Of(new Agent(id, role ?? defaultRole));
    }

    private static string? OrganizationalUnit(X500DistinguishedName name)
    {
        foreach (var part in name.EnumerateRelativeDistinguishedNames())
        {
            if (part.GetSingleElementType().Value == "2.5.4.11")
            {
                return part.GetSingleElementValue();
            }
        }

        return null;
    }
}
