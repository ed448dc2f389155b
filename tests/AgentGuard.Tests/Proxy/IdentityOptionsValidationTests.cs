namespace AgentGuard.Proxy;

/// <summary>A gateway that could not tell agents apart, or would trust anyone's keys, does not start: each gap is named.</summary>
public sealed class IdentityOptionsValidationTests
{
    [Fact]
    public void Validate_JwtWithoutIssuerAudienceOrKeys_ReportsEach()
    {
        var options = Valid();
        options.Identity.Mode = IdentityMode.Jwt;

        var failures = new GuardOptionsValidator().Validate(null, options).Failures ?? [];

        Assert.Contains(failures, f => f.StartsWith("AgentGuard:Identity:Mode is Jwt; give the tokens' issuer and audience", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("AgentGuard:Identity:Mode is Jwt; give exactly one of AgentGuard:Identity:Jwt:JwksFile and :JwksUrl", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://idp.example.com/jwks.json")]
    [InlineData("file:///etc/jwks.json")]
    public void Validate_JwksUrlInTheClearOffLoopback_Refused(string url)
    {
        var options = Valid();
        options.Identity.Mode = IdentityMode.Jwt;
        options.Identity.Jwt.Issuer = "https://idp.example.com";
        options.Identity.Jwt.Audience = "agentguard";
        options.Identity.Jwt.JwksUrl = url;

        var failures = new GuardOptionsValidator().Validate(null, options).Failures ?? [];

        Assert.Contains($"AgentGuard:Identity:Jwt:JwksUrl is '{url}'; use an https URL (http only on loopback): keys fetched in the clear could be anyone's.", failures);
    }

    [Fact]
    public void Validate_MtlsOverPlainHttp_Refused()
    {
        var options = Valid();
        options.Identity.Mode = IdentityMode.Mtls;

        var failures = new GuardOptionsValidator().Validate(null, options).Failures ?? [];

        Assert.Contains(failures, f => f.StartsWith("AgentGuard:Identity:Mode is Mtls; the data plane must listen on https", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_HttpsWithoutCertificate_Refused()
    {
        var options = Valid();
        options.Listen = "https://0.0.0.0:8443";

        var failures = new GuardOptionsValidator().Validate(null, options).Failures ?? [];

        Assert.Contains(failures, f => f.StartsWith("AgentGuard:Listen is https; give the server certificate", StringComparison.Ordinal));
    }

    private static GuardOptions Valid() => new() { Policies = ["policies"] };
}
