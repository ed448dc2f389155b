namespace AgentGuard.Proxy;

/// <summary>What the guard made of an orchestrator's session or <c>observed</c> header.</summary>
internal enum SessionHeaderCheck
{
    /// <summary>Signed with the key and recent (or the deployment trusts the header).</summary>
    Trusted,

    /// <summary>Not in the signed form, or the guard has no key: ignored.</summary>
    Unsigned,

    /// <summary>In the signed form, but the signature is not the key's: ignored.</summary>
    BadSignature,

    /// <summary>Signed, but older (or further ahead) than the maximum age: ignored.</summary>
    Expired,

    /// <summary>An <c>observed</c> header signed for another session than the call's: ignored, so a label cannot be replayed into another run.</summary>
    OtherSession,
}
