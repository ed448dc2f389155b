using AgentGuard.Audit;
using AgentGuard.Proxy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace AgentGuard.Infrastructure;

/// <summary>Starts the real guard on loopback (port 0 for both planes) in front of an upstream.</summary>
internal static class TestGuard
{
    /// <summary>The shipped policy folder, copied next to the tests.</summary>
    public static string ShippedPolicies => Path.Combine(AppContext.BaseDirectory, "policies");

    /// <param name="logs">Receives the guard's logs instead of the test output.</param>
    /// <param name="services">Additions to the data plane's services (a recording oversight sink).</param>
    /// <param name="timeProvider">The guard's clock; the system's when <see langword="null"/>.</param>
    public static Task<GuardHost> StartAsync(ITestOutputHelper output, Uri upstream, IEnumerable<string>? policies = null, IDictionary<string, string?>? settings = null, ILoggerProvider? logs = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null, TimeProvider? timeProvider = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["AgentGuard:Upstream"] = upstream.ToString(),
            ["AgentGuard:Listen"] = "http://127.0.0.1:0",
            ["AgentGuard:Admin"] = "http://127.0.0.1:0",
            ["AgentGuard:Agent:Id"] = "gemini-agent-1",
            ["AgentGuard:Agent:Role"] = "evaluator",
        };
        var i = 0;
        foreach (var policy in policies ?? [ShippedPolicies])
        {
            values[$"AgentGuard:Policies:{i++}"] = policy;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        if (values["AgentGuard:Upstream"] is null)
        {
            values.Remove("AgentGuard:Upstream");
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return GuardHost.StartAsync(configuration, logging => logging.AddProvider(logs ?? new TestOutputLoggerProvider(output)), timeProvider, configureServices: services);
    }

    /// <summary>Collects the guard's decisions.</summary>
    public static List<DecisionRecord> Collect(GuardHost guard)
    {
        var records = new List<DecisionRecord>();
        guard.Decisions.Recorded += record =>
        {
            lock (records)
            {
                records.Add(record);
            }
        };
        return records;
    }
}
