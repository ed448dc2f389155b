using AgentGuard.Infrastructure;
using AgentGuard.Oversight;
using AgentGuard.Sessions;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Xunit.Abstractions;

namespace AgentGuard.Proxy;

/// <summary>
/// The SDK's MCP client through the real guard to a real MCP server with sessions: the session is
/// the server's <c>Mcp-Session-Id</c>, every decision names it, the tool results the agent read
/// are evidence in it (redacted, capped), and it ends on the end tool or the client's DELETE.
/// </summary>
public sealed class SessionEndToEndTests(ITestOutputHelper output)
{
    [Fact]
    public async Task CallTool_SdkClient_SessionIsMcpSessionIdAndResultIsRedactedEvidence()
    {
        await using var tools = await EvidenceToolServer.StartAsync();
        var sink = new RecordingOversightSink();
        await using var guard = await StartGuardAsync(tools, sink);
        var decisions = TestGuard.Collect(guard);
        await using var client = await ConnectAsync(guard);

        var result = await client.CallToolAsync("view_sheet", new Dictionary<string, object?> { ["name"] = "factual" });

        // The agent got the result unchanged, password and all: observation alters nothing.
        Assert.Equal(EvidenceToolServer.Sheet, Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        var sessionId = client.SessionId;
        Assert.False(string.IsNullOrEmpty(sessionId));
        await Poll.UntilAsync(() => !sink.Evidence.IsEmpty, "the result's evidence");
        var (session, evidence) = Assert.Single(sink.Evidence);
        Assert.Equal(new SessionKey("gemini-agent-1", sessionId), session.Key);
        Assert.Equal(("tools/call", "view_sheet", """{"name":"factual"}""", false, false), (evidence.Method, evidence.Tool, evidence.Arguments, evidence.Truncated, evidence.IsError));
        Assert.Contains("Item 2: 7 (reference 9) wrong", evidence.Content, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", evidence.Content, StringComparison.Ordinal);
        Assert.Same(evidence, Assert.Single(session.Evidence()));

        var call = Assert.Single(sink.Calls, c => c.Call.Tool == "view_sheet").Call;
        Assert.Equal(evidence.Reference, call.Reference);
        Assert.Equal(evidence.Reference, Assert.Single(decisions, d => d.Call.Tool == "view_sheet").Reference);

        // Every decision names a session: the server's once it made one (discovery and initialize
        // come before, and fall in the agent's idle-gap session).
        Assert.Equal(sessionId, Assert.Single(decisions, d => d.Call.Method == "tools/call").Call.Session);
        Assert.All(decisions, d => Assert.False(string.IsNullOrEmpty(d.Call.Session)));
    }

    [Fact]
    public async Task CallTool_ResultOverTheEvidenceCap_AgentGetsAllEvidenceTruncatedAndMarked()
    {
        await using var tools = await EvidenceToolServer.StartAsync();
        var sink = new RecordingOversightSink();
        await using var guard = await StartGuardAsync(tools, sink, new() { ["AgentGuard:Sessions:MaxEvidenceItemChars"] = "1000" });
        await using var client = await ConnectAsync(guard);

        var result = await client.CallToolAsync("big_result", new Dictionary<string, object?> { ["chars"] = 50_000 });

        Assert.Equal(50_000, Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text.Length);
        await Poll.UntilAsync(() => !sink.Evidence.IsEmpty, "the result's evidence");
        var evidence = Assert.Single(sink.Evidence).Evidence;
        Assert.True(evidence.Truncated);
        Assert.Equal(new string('x', 1000), evidence.Content);
    }

    [Fact]
    public async Task EndTask_Forwarded_SessionEndsWithEndToolAfterItsResult()
    {
        await using var tools = await EvidenceToolServer.StartAsync();
        var sink = new RecordingOversightSink();
        await using var guard = await StartGuardAsync(tools, sink);
        await using var client = await ConnectAsync(guard);
        await client.CallToolAsync("view_sheet", new Dictionary<string, object?> { ["name"] = "factual" });

        var result = await client.CallToolAsync("end_task");

        Assert.Equal("task ended", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        await Poll.UntilAsync(() => !sink.Ended.IsEmpty, "the session's end");
        var (session, reason) = Assert.Single(sink.Ended);
        Assert.Equal(SessionEndReason.EndTool, reason);
        Assert.Equal(client.SessionId, session.Key.Id);
        Assert.Equal(["view_sheet", "end_task"], session.Evidence().Select(e => e.Tool));

        // Evidence stays with the agent after the session ended.
        Assert.Equal(2, guard.Sessions.AgentEvidence("gemini-agent-1", DateTimeOffset.MinValue).Count);
    }

    [Fact]
    public async Task DisposeClient_TransportDelete_SessionEndsDeleted()
    {
        await using var tools = await EvidenceToolServer.StartAsync();
        var sink = new RecordingOversightSink();
        await using var guard = await StartGuardAsync(tools, sink);
        var client = await ConnectAsync(guard);
        await client.CallToolAsync("view_sheet", new Dictionary<string, object?> { ["name"] = "factual" });
        var sessionId = client.SessionId;

        await client.DisposeAsync();

        await Poll.UntilAsync(() => sink.Ended.Any(e => e.Session.Key.Id == sessionId), "the session's end by DELETE");
        Assert.Equal(SessionEndReason.Deleted, Assert.Single(sink.Ended, e => e.Session.Key.Id == sessionId).Reason);
    }

    private Task<GuardHost> StartGuardAsync(EvidenceToolServer tools, IOversightSink sink, Dictionary<string, string?>? settings = null)
        => TestGuard.StartAsync(output, tools.BaseAddress, settings: settings, services: services => services.AddSingleton(sink));

    private static async Task<McpClient> ConnectAsync(GuardHost guard)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(guard.DataAddress, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            Name = "evaluator",
        });
        return await McpClient.CreateAsync(transport, new McpClientOptions { ClientInfo = new Implementation { Name = "evaluator", Version = "1.0.0" } });
    }
}
