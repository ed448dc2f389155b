namespace AgentGuard.Proxy;

/// <summary>Where the agent of a call comes from.</summary>
public enum IdentityMode
{
    /// <summary>From configuration (<c>AgentGuard:Agent</c>): one guard per agent, the deployment vouches for it.</summary>
    Sidecar,

    /// <summary>From a JWT the request carries, checked against the issuer's keys: one guard in front of many agents.</summary>
    Jwt,

    /// <summary>From the client certificate of an HTTPS connection, checked against a CA.</summary>
    Mtls,
}
