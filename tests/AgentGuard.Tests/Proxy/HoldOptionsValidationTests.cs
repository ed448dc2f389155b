namespace AgentGuard.Proxy;

/// <summary>Each bad <c>AgentGuard:Holds</c> setting is reported with its key, value and fix; the defaults are valid.</summary>
public sealed class HoldOptionsValidationTests
{
    [Theory]
    [InlineData("DefaultTimeout", "00:00:00", "AgentGuard:Holds:DefaultTimeout is 00:00:00; use 00:00:01 to 00:30:00 (default 00:00:45, under the agents' common 60 s client timeout).")]
    [InlineData("DefaultTimeout", "01:00:00", "AgentGuard:Holds:DefaultTimeout is 01:00:00; use 00:00:01 to 00:30:00 (default 00:00:45, under the agents' common 60 s client timeout).")]
    [InlineData("ProgressInterval", "00:00:00.500", "AgentGuard:Holds:ProgressInterval is 00:00:00.5000000; use 00:00:01 to 00:05:00 (default 00:00:10).")]
    [InlineData("ProgressInterval", "00:10:00", "AgentGuard:Holds:ProgressInterval is 00:10:00; use 00:00:01 to 00:05:00 (default 00:00:10).")]
    public void Validate_BadHoldSetting_ReportsKeyValueAndFix(string key, string value, string error)
    {
        var options = Valid();
        typeof(HoldOptions).GetProperty(key)!.SetValue(options.Holds, TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture));

        var result = new GuardOptionsValidator().Validate(null, options);

        Assert.Contains(error, result.Failures ?? []);
    }

    [Fact]
    public void Validate_Defaults_UnderTheTypeScriptClientTimeoutAndValid()
    {
        var options = Valid();

        Assert.Equal(TimeSpan.FromSeconds(45), options.Holds.DefaultTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Holds.ProgressInterval);
        Assert.True(new GuardOptionsValidator().Validate(null, options).Succeeded);
    }

    private static GuardOptions Valid() => new() { Policies = ["policies/"], Upstream = "http://127.0.0.1:3001" };
}
