using AgentGuard.Infrastructure;
using AgentGuard.Proxy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;
using Xunit.Abstractions;

namespace AgentGuard.Telemetry;

/// <summary>
/// Starts the real guard as <see cref="TestGuard"/> does, with the OpenTelemetry in-memory exporter
/// added to its own tracing pipeline, so tests see the spans the guard would export over OTLP.
/// </summary>
internal static class TracedGuard
{
    public static Task<GuardHost> StartAsync(ITestOutputHelper output, Uri upstream, ActivityCollection exported, IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["AgentGuard:Upstream"] = upstream.ToString(),
            ["AgentGuard:Listen"] = "http://127.0.0.1:0",
            ["AgentGuard:Admin"] = "http://127.0.0.1:0",
            ["AgentGuard:Agent:Id"] = "gemini-agent-1",
            ["AgentGuard:Agent:Role"] = "evaluator",
            ["AgentGuard:Policies:0"] = TestGuard.ShippedPolicies,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return GuardHost.StartAsync(
            configuration,
            logging => logging.AddProvider(new TestOutputLoggerProvider(output)),
            configureTracing: tracing => tracing.AddInMemoryExporter(exported));
    }
}
