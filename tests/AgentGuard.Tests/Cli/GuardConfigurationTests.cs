namespace AgentGuard.Cli;

/// <summary>Where settings come from: the --config file, then environment variables, then flags.</summary>
public sealed class GuardConfigurationTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"agentguard-{Guid.NewGuid():N}.json");

    [Fact]
    public void Build_FileEnvironmentFlags_LaterOverridesEarlier()
    {
        File.WriteAllText(_file, """{"AgentGuard":{"Listen":"http://127.0.0.1:1","Admin":"http://127.0.0.1:2","Agent":{"Id":"from-file","Role":"from-file"}}}""");
        var variable = "AgentGuard__Agent__Role";
        Environment.SetEnvironmentVariable(variable, "from-env");
        try
        {
            var configuration = GuardConfiguration.Build(_file, new Dictionary<string, string?> { ["AgentGuard:Listen"] = "http://127.0.0.1:3" });

            Assert.Equal("http://127.0.0.1:3", configuration["AgentGuard:Listen"]);
            Assert.Equal("http://127.0.0.1:2", configuration["AgentGuard:Admin"]);
            Assert.Equal("from-file", configuration["AgentGuard:Agent:Id"]);
            Assert.Equal("from-env", configuration["AgentGuard:Agent:Role"]);
            Assert.Equal(Path.GetFullPath(_file), configuration[Proxy.GuardHost.ConfigFileKey]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Build_NoPolicyGiven_UsesShippedPolicies()
    {
        var configuration = GuardConfiguration.Build(null, new Dictionary<string, string?>());

        Assert.Equal(GuardConfiguration.ShippedPolicies, configuration["AgentGuard:Policies:0"]);
    }

    public void Dispose() => File.Delete(_file);
}
