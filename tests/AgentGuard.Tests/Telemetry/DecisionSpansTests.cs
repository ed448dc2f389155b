using System.Diagnostics;
using System.Net.Http.Headers;
using AgentGuard.Infrastructure;
using AgentGuard.Proxy;
using OpenTelemetry;
using Xunit.Abstractions;

namespace AgentGuard.Telemetry;

/// <summary>
/// The guard's spans, exported by its own tracing pipeline to the OpenTelemetry in-memory exporter,
/// and the trace context the tool server receives. Each test finds its spans by a session id of its
/// own: the pipeline hears every guard in the process.
/// </summary>
public sealed class DecisionSpansTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string ShutdownTampering = """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"modify_var","arguments":{"key":"shutdown_enabled","value":"false"}}}""";
    private const string Allowed = """{"jsonrpc":"2.0","id":"a-1","method":"tools/call","params":{"name":"list_server_files","arguments":{"ip":"10.0.12.45"}}}""";

    private readonly ActivityCollection _exported = new();
    private readonly string _session = Guid.NewGuid().ToString("N");

    private readonly HttpClient _http = new();
    private TestUpstream _upstream = null!;
    private GuardHost _guard = null!;

    private Uri Endpoint => new(_guard.DataAddress, "/mcp");

    public async Task InitializeAsync()
    {
        _upstream = await TestUpstream.StartRecordingAsync();
        _guard = await TracedGuard.StartAsync(output, _upstream.Address, _exported);
    }

    public async Task DisposeAsync()
    {
        await _guard.DisposeAsync();
        await _upstream.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task Span_DeniedShutdownTampering_CarriesMcpAndDecisionAttributes()
    {
        await PostAsync(ShutdownTampering);

        var span = await WaitForDecisionSpanAsync();
        Assert.Equal(GuardActivitySource.Name, span.Source.Name);
        Assert.Equal(ActivityKind.Internal, span.Kind);
        Assert.Equal("tools/call modify_var", span.DisplayName);
        Assert.Equal("tools/call", span.GetTagItem("mcp.method.name"));
        Assert.Equal("modify_var", span.GetTagItem("gen_ai.tool.name"));
        Assert.Equal("execute_tool", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal(_session, span.GetTagItem("mcp.session.id"));
        Assert.Equal("2", span.GetTagItem("jsonrpc.request.id"));
        Assert.Equal("deny", span.GetTagItem("agentguard.decision"));
        Assert.Equal("shutdown-tampering", span.GetTagItem("agentguard.finding"));
        Assert.Equal("critical", span.GetTagItem("agentguard.finding.severity"));
        Assert.Equal("shutdown-control-tampering", span.GetTagItem("agentguard.rule"));
        Assert.Equal(_guard.Policies.Current.Version, span.GetTagItem("agentguard.policy.version"));
        Assert.Matches("^[0-9a-f]{16}$", (string)span.GetTagItem("agentguard.audit.ref")!);
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
    }

    [Fact]
    public async Task Span_AllowedCall_UpstreamReceivesTraceparentOfTheGuardsTrace()
    {
        await PostAsync(Allowed);

        var span = await WaitForDecisionSpanAsync();
        Assert.Equal("allow", span.GetTagItem("agentguard.decision"));
        Assert.Null(span.GetTagItem("agentguard.finding"));
        Assert.Equal("a-1", span.GetTagItem("jsonrpc.request.id"));
        var traceparent = Assert.Single(_upstream.Received).Headers["traceparent"];
        var parts = traceparent.Split('-');
        Assert.Equal(span.TraceId.ToHexString(), parts[1]);

        // The forwarded request's span is the child of the decided call's span.
        var forward = await _exported.WaitForAsync(a => a.SpanId.ToHexString() == parts[2], "the HttpClient span the traceparent names");
        Assert.Equal(span.SpanId, forward.ParentSpanId);
        Assert.Equal(ActivityKind.Client, forward.Kind);
    }

    [Fact]
    public async Task Span_AgentSendsUnsampledTraceparent_GuardStillRecordsInATraceOfItsOwn()
    {
        var agentTrace = ActivityTraceId.CreateRandom();

        await PostAsync(Allowed, request => request.Headers.Add("traceparent", $"00-{agentTrace.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-00"));

        // Were the agent's context trusted, its 00 flag would leave the call unrecorded and this would time out.
        var span = await WaitForDecisionSpanAsync();
        Assert.True(span.Recorded);
        Assert.NotEqual(agentTrace, span.TraceId);
        var traceparent = Assert.Single(_upstream.Received).Headers["traceparent"];
        Assert.Equal(span.TraceId.ToHexString(), traceparent.Split('-')[1]);
        Assert.EndsWith("-01", traceparent, StringComparison.Ordinal);

        // The agent's context is kept, as a link from the guard's server span.
        var server = await _exported.WaitForAsync(a => a.SpanId == span.ParentSpanId, "the guard's server span");
        Assert.Equal(ActivityKind.Server, server.Kind);
        Assert.Contains(server.Links, link => link.Context.TraceId == agentTrace);
    }

    [Fact]
    public async Task Span_TracedCall_ResponseCarriesNoTraceHeaders()
    {
        using var response = await PostAsync(Allowed);
        await WaitForDecisionSpanAsync();

        // Principle 4: nothing in what the agent gets back says whether its calls are traced.
        var names = response.Headers.Concat(response.Content.Headers).Select(h => h.Key.ToLowerInvariant()).ToList();
        Assert.DoesNotContain("traceparent", names);
        Assert.DoesNotContain("tracestate", names);
        Assert.DoesNotContain("request-id", names);
        Assert.DoesNotContain("baggage", names);
        Assert.DoesNotContain("server", names);
        Assert.Equal(["content-type", "date", "transfer-encoding"], names.Order().ToList());
    }

    [Fact]
    public async Task Span_Batch_OneChildSpanPerMember()
    {
        await PostAsync("[" + Allowed + "," + ShutdownTampering + "]");

        var batch = await _exported.WaitForAsync(
            a => a.Source.Name == GuardActivitySource.Name && (string?)a.GetTagItem("mcp.session.id") == _session && a.DisplayName == "mcp batch",
            "the batch span");
        Assert.Equal(2, batch.GetTagItem("agentguard.batch.size"));
        var members = _exported.Snapshot().Where(a => a.ParentSpanId == batch.SpanId && a.Source.Name == GuardActivitySource.Name).ToList();
        Assert.Equal(2, members.Count);
        Assert.Contains(members, m => m.DisplayName == "tools/call list_server_files" && (string?)m.GetTagItem("agentguard.decision") == "allow");
        Assert.Contains(members, m => m.DisplayName == "tools/call modify_var" && (string?)m.GetTagItem("agentguard.decision") == "deny");
        Assert.All(members, m => Assert.Equal(batch.StartTimeUtc, m.StartTimeUtc));
    }

    [Fact]
    public async Task Span_UnknownToolAndMethod_SpanNameBoundedAttributeKeepsTheName()
    {
        await PostAsync(Allowed.Replace("list_server_files", "invented_tool_42", StringComparison.Ordinal));

        var span = await WaitForDecisionSpanAsync();
        Assert.Equal("tools/call other", span.DisplayName);
        Assert.Equal("invented_tool_42", span.GetTagItem("gen_ai.tool.name"));
    }

    [Fact]
    public async Task Span_MalformedBody_MarkedAsInspectionFailure()
    {
        await PostAsync("""{"jsonrpc":"2.0","id":1,"method":""");

        var span = await _exported.WaitForAsync(
            a => a.Source.Name == GuardActivitySource.Name && (string?)a.GetTagItem("mcp.session.id") == _session && a.GetTagItem("agentguard.inspection.failure") is not null,
            "the rejected request's span");
        Assert.Equal("mcp inspect", span.DisplayName);
        Assert.Equal("malformed", span.GetTagItem("agentguard.inspection.failure"));
        Assert.Equal("deny", span.GetTagItem("agentguard.decision"));
        Assert.Equal("inspection-failure", span.GetTagItem("agentguard.finding"));
    }

    private async Task<HttpResponseMessage> PostAsync(string body, Action<HttpRequestMessage>? configure = null)
    {
        // The guard's pipeline hears the test's HttpClient too; suppressed, the request carries
        // exactly the trace headers a test writes, as an agent's would.
        using var suppressed = SuppressInstrumentationScope.Begin();
        return await Mcp.PostAsync(_http, Endpoint, body, request =>
        {
            request.Headers.Add("Mcp-Session-Id", _session);
            configure?.Invoke(request);
        });
    }

    private Task<Activity> WaitForDecisionSpanAsync()
        => _exported.WaitForAsync(
            a => a.Source.Name == GuardActivitySource.Name && (string?)a.GetTagItem("mcp.session.id") == _session && a.GetTagItem("agentguard.decision") is not null,
            "the decided call's span");
}
