namespace AgentGuard.Cli;

/// <summary>
/// Builds the guard's configuration the ASP.NET way, lowest precedence first: the <c>--config</c>
/// JSON file, environment variables (<c>AgentGuard__Listen</c>), then command-line flags.
/// </summary>
internal static class GuardConfiguration
{
    /// <summary>The shipped policy folder beside the executable, used when no policy is given.</summary>
    public static string ShippedPolicies => Path.Combine(AppContext.BaseDirectory, "policies");

    public static IConfiguration Build(string? configFile, IReadOnlyDictionary<string, string?> flags)
    {
        var builder = new ConfigurationManager();
        if (configFile is not null)
        {
            var full = Path.GetFullPath(configFile);
            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
            builder.AddInMemoryCollection([new(Proxy.GuardHost.ConfigFileKey, full)]);
        }

        builder.AddEnvironmentVariables();
        builder.AddInMemoryCollection(flags);
        if (!builder.GetSection("AgentGuard:Policies").GetChildren().Any() && Directory.Exists(ShippedPolicies))
        {
            builder.AddInMemoryCollection([new("AgentGuard:Policies:0", ShippedPolicies)]);
        }

        return builder;
    }
}
