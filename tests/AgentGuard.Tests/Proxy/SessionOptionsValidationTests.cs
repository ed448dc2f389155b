namespace AgentGuard.Proxy;

/// <summary>Each bad <c>AgentGuard:Sessions</c> setting is reported with its key, value and fix.</summary>
public sealed class SessionOptionsValidationTests
{
    [Theory]
    [InlineData("IdleTimeout", "00:00:00", "AgentGuard:Sessions:IdleTimeout is 00:00:00; use 00:00:01 to 7.00:00:00.")]
    [InlineData("IdleCheckInterval", "01:00:00", "AgentGuard:Sessions:IdleCheckInterval is 01:00:00; use 00:00:01 to the idle timeout (00:30:00).")]
    [InlineData("MaxHeaderAge", "2.00:00:00", "AgentGuard:Sessions:MaxHeaderAge is 2.00:00:00; use 00:00:01 to 1.00:00:00.")]
    [InlineData("MaxSessions", "0", "AgentGuard:Sessions:MaxSessions is 0; use 1 to 10000000.")]
    [InlineData("MaxEvidenceItemChars", "0", "AgentGuard:Sessions:MaxEvidenceItemChars is 0; use 1 to 16777216.")]
    [InlineData("MaxCalls", "-1", "AgentGuard:Sessions:MaxEvidenceItems, MaxEvidenceChars, MaxCalls, MaxAgentEvidenceItems, MaxLineage and MaxEvidenceBytes must not be negative; use 0 to keep none.")]
    [InlineData("MaxEvidenceBytes", "-1", "AgentGuard:Sessions:MaxEvidenceItems, MaxEvidenceChars, MaxCalls, MaxAgentEvidenceItems, MaxLineage and MaxEvidenceBytes must not be negative; use 0 to keep none.")]
    [InlineData("MaxLineage", "-1", "AgentGuard:Sessions:MaxEvidenceItems, MaxEvidenceChars, MaxCalls, MaxAgentEvidenceItems, MaxLineage and MaxEvidenceBytes must not be negative; use 0 to keep none.")]
    [InlineData("EvidenceWindow", "-00:01:00", "AgentGuard:Sessions:EvidenceWindow is -00:01:00; use 00:00:00 or more.")]
    [InlineData("SigningKeyFile", "/nonexistent/key", "AgentGuard:Sessions:SigningKeyFile is '/nonexistent/key', which does not exist; write one the agent cannot read (openssl rand -hex 32 > FILE; chmod 600 FILE).")]
    public void Validate_BadSessionSetting_ReportsKeyValueAndFix(string key, string value, string error)
    {
        var options = Valid();
        var property = typeof(SessionOptions).GetProperty(key)!;
        property.SetValue(options.Sessions, property.PropertyType == typeof(string) ? value
            : property.PropertyType == typeof(TimeSpan) ? TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture)
            : Convert.ChangeType(value, property.PropertyType, System.Globalization.CultureInfo.InvariantCulture));

        var result = new GuardOptionsValidator().Validate(null, options);

        Assert.Contains(error, result.Failures ?? []);
    }

    [Fact]
    public void Validate_HeaderWithoutKeyOrTrust_ReportsThatItCouldNeverBeTrusted()
    {
        var options = Valid();
        options.Sessions.Header = "X-Orchestrator-Session";

        var result = new GuardOptionsValidator().Validate(null, options);

        Assert.Contains(result.Failures ?? [], f => f.StartsWith("AgentGuard:Sessions:Header or ObservedHeader is set but neither", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_HeaderNamedMcpSessionId_Reported()
    {
        var options = Valid();
        options.Sessions.Header = "mcp-session-id";
        options.Sessions.HeaderTrusted = true;

        var result = new GuardOptionsValidator().Validate(null, options);

        Assert.Contains("AgentGuard:Sessions header name 'mcp-session-id' is not usable; give an HTTP header name of the orchestrator's own, such as X-Orchestrator-Session.", result.Failures ?? []);
    }

    [Fact]
    public void Validate_ShortSigningKey_ReportsItsLengthOnly()
    {
        var options = Valid();
        options.Sessions.SigningKey = "guessable";

        var result = new GuardOptionsValidator().Validate(null, options);

        Assert.Contains("AgentGuard:Sessions:SigningKey is a key of 9 characters; use at least 16 random characters (openssl rand -hex 32).", result.Failures ?? []);
    }

    [Fact]
    public void Validate_EmptySigningKeyFile_Reported()
    {
        var file = Path.GetTempFileName();
        try
        {
            var options = Valid();
            options.Sessions.SigningKeyFile = file;

            var result = new GuardOptionsValidator().Validate(null, options);

            Assert.Contains($"AgentGuard:Sessions:SigningKeyFile '{file}' holds a key of 0 characters; use at least 16 random characters (openssl rand -hex 32).", result.Failures ?? []);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Validate_Defaults_NoSessionErrors()
        => Assert.True(new GuardOptionsValidator().Validate(null, Valid()).Succeeded);

    private static GuardOptions Valid() => new() { Policies = ["policies/"] };
}
