using System.Net;
using AgentGuard.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace AgentGuard.Telemetry;

/// <summary>How tracing is switched on: the standard OTEL_* variables, and nothing at all without them.</summary>
public sealed class GuardTracingTests(ITestOutputHelper output)
{
    [Fact]
    public void Add_NoOtlpEndpointNoExporter_RegistersNothing()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationManager();

        GuardTracing.Add(services, configuration, "agent", new TracedRequests(), configure: null, NullLogger.Instance);

        Assert.Empty(services);
        Assert.Null(configuration[GuardTracing.NewRootSpanKey]);
    }

    [Fact]
    public void Add_OtlpEndpoint_AddsThePipelineAndNewRootSpans()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationManager();
        configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4318";

        GuardTracing.Add(services, configuration, "agent", new TracedRequests(), configure: null, NullLogger.Instance);

        Assert.NotEmpty(services);
        Assert.Equal("true", configuration[GuardTracing.NewRootSpanKey]);
    }

    [Fact]
    public void IsTraced_AdminPort_Excluded()
    {
        var requests = new TracedRequests();
        var admin = new DefaultHttpContext();
        admin.Connection.LocalPort = 9091;
        var data = new DefaultHttpContext();
        data.Connection.LocalPort = 8080;

        requests.ExcludeAdminPort(9091);

        Assert.False(requests.IsTraced(admin));
        Assert.True(requests.IsTraced(data));
    }

    [Fact]
    public async Task StartAsync_OtlpEndpointSet_ExportsDecisionSpansThere()
    {
        var exports = new TaskCompletionSource<ReceivedRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var collector = await TestUpstream.StartAsync(async (context, _) =>
        {
            var received = await ReceivedRequest.ReadAsync(context.Request);
            if (received.BodyText.Contains("agentguard.decision", StringComparison.Ordinal))
            {
                exports.TrySetResult(received);
            }

            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/x-protobuf";
        });
        await using var upstream = await TestUpstream.StartRecordingAsync();
        var guard = await TestGuard.StartAsync(output, upstream.Address, settings: new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Address.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        });
        using var http = new HttpClient();

        try
        {
            var response = await Mcp.PostAsync(http, new Uri(guard.DataAddress, "/mcp"), """{"jsonrpc":"2.0","id":1,"method":"tools/list"}""");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        finally
        {
            // Stopping flushes the batch exporter.
            await guard.DisposeAsync();
        }

        var export = await exports.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("/v1/traces", export.Path);
        Assert.Contains(GuardActivitySource.Name, export.BodyText, StringComparison.Ordinal);
        Assert.Contains(GuardTracing.ServiceName, export.BodyText, StringComparison.Ordinal);
    }
}
