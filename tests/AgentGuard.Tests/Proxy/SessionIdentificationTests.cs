using System.Text;
using AgentGuard.Audit;
using AgentGuard.Infrastructure;
using AgentGuard.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace AgentGuard.Proxy;

/// <summary>
/// Where a call's session comes from: the <c>Mcp-Session-Id</c>; else the orchestrator's header,
/// only when signed (or the deployment vouches for it) and never forwarded; else the agent's calls
/// cut by an idle gap. An agent that sets the header itself gets nothing from it.
/// </summary>
public sealed class SessionIdentificationTests(ITestOutputHelper output) : IDisposable
{
    private const string Header = "X-Orchestrator-Session";
    private const string ObservedHeader = "X-Orchestrator-Observed";
    private const string Call = """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"view_sheet","arguments":{"name":"factual"}}}""";
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("0f3c9a1e7b5d4c2a8e6f0b1d3c5a7e9f");
    private readonly string _keyFile = Path.Combine(Path.GetTempPath(), "agentguard-session-key-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Post_SignedSessionHeader_SessionFromHeaderAndHeaderNotForwarded()
    {
        await using var upstream = await TestUpstream.StartRecordingAsync();
        await using var guard = await StartGuardAsync(upstream);
        var decisions = TestGuard.Collect(guard);

        await PostAsync(guard, request => request.Headers.Add(Header, SessionHeaderSignature.Sign(Key, "run-42", TimeProvider.System.GetUtcNow())));

        Assert.Equal("run-42", Assert.Single(decisions).Call.Session);
        Assert.DoesNotContain(Header, Assert.Single(upstream.Received).Headers.Keys, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("agentguard_sessions_live 1", await ScrapeAsync(guard), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Post_HeaderSignedWithOpensslAsTheReadmeShows_Trusted()
    {
        Skip.IfNot(File.Exists("/usr/bin/openssl"), "openssl is not installed");
        await using var upstream = await TestUpstream.StartRecordingAsync();
        await using var guard = await StartGuardAsync(upstream);
        var decisions = TestGuard.Collect(guard);
        var signed = "run-42." + TimeProvider.System.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var openssl = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/sh")
        {
            ArgumentList = { "-c", "KEY=$(cat \"$1\"); printf '%s' \"$2\" | openssl dgst -sha256 -hmac \"$KEY\" -r | cut -d' ' -f1", "sh", _keyFile, signed },
            RedirectStandardOutput = true,
        })!;
        var mac = (await openssl.StandardOutput.ReadToEndAsync()).Trim();
        await openssl.WaitForExitAsync();

        await PostAsync(guard, request => request.Headers.Add(Header, signed + "." + mac));

        Assert.Equal("run-42", Assert.Single(decisions).Call.Session);
    }

    [Fact]
    public async Task Post_UnsignedForgedOrExpiredSessionHeader_IgnoredCountedAndNotForwarded()
    {
        await using var upstream = await TestUpstream.StartRecordingAsync();
        await using var guard = await StartGuardAsync(upstream);
        var decisions = TestGuard.Collect(guard);
        var now = TimeProvider.System.GetUtcNow();

        await PostAsync(guard, request => request.Headers.Add(Header, "run-42"));
        await PostAsync(guard, request => request.Headers.Add(Header, SessionHeaderSignature.Sign(Encoding.UTF8.GetBytes("the agent's guess"), "run-42", now)));
        await PostAsync(guard, request => request.Headers.Add(Header, SessionHeaderSignature.Sign(Key, "run-42", now.AddMinutes(-10))));

        Assert.All(decisions, d => Assert.StartsWith("idle-", d.Call.Session, StringComparison.Ordinal));
        Assert.All(upstream.Received, r => Assert.DoesNotContain(Header, r.Headers.Keys, StringComparer.OrdinalIgnoreCase));
        var metrics = await ScrapeAsync(guard);
        Assert.Contains("agentguard_untrusted_session_headers_total{header=\"session\",reason=\"unsigned\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("agentguard_untrusted_session_headers_total{header=\"session\",reason=\"bad-signature\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("agentguard_untrusted_session_headers_total{header=\"session\",reason=\"expired\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_HeaderTrustedByDeployment_PlainValueIsTheSession()
    {
        await using var upstream = await TestUpstream.StartRecordingAsync();
        await using var guard = await TestGuard.StartAsync(output, upstream.Address, settings: new Dictionary<string, string?>
        {
            ["AgentGuard:Sessions:Header"] = Header,
            ["AgentGuard:Sessions:HeaderTrusted"] = "true",
        });
        var decisions = TestGuard.Collect(guard);

        await PostAsync(guard, request => request.Headers.Add(Header, "run-7"));

        Assert.Equal("run-7", Assert.Single(decisions).Call.Session);
        Assert.DoesNotContain(Header, Assert.Single(upstream.Received).Headers.Keys, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Post_McpSessionIdAndSignedHeader_McpSessionIdWins()
    {
        await using var upstream = await TestUpstream.StartRecordingAsync();
        await using var guard = await StartGuardAsync(upstream);
        var decisions = TestGuard.Collect(guard);

        await PostAsync(guard, request =>
        {
            request.Headers.Add("Mcp-Session-Id", "mcp-1");
            request.Headers.Add(Header, SessionHeaderSignature.Sign(Key, "run-42", TimeProvider.System.GetUtcNow()));
        });

        Assert.Equal("mcp-1", Assert.Single(decisions).Call.Session);
        Assert.Equal("mcp-1", Assert.Single(upstream.Received).Headers["Mcp-Session-Id"]);
    }

    [Fact]
    public async Task Post_SignedObservedHeader_SessionLabelledWatchedAndUnsignedOneIgnored()
    {
        await using var upstream = await TestUpstream.StartRecordingAsync();
        var sink = new RecordingOversightSink();
        await using var guard = await StartGuardAsync(upstream, sink);
        var now = TimeProvider.System.GetUtcNow();

        await PostAsync(guard, request =>
        {
            request.Headers.Add(Header, SessionHeaderSignature.Sign(Key, "watched", now));
            request.Headers.Add(ObservedHeader, SessionHeaderSignature.Sign(Key, "watched:true", now));
        });
        await PostAsync(guard, request =>
        {
            request.Headers.Add(Header, SessionHeaderSignature.Sign(Key, "claimed", now));
            request.Headers.Add(ObservedHeader, "claimed:false");
        });

        // A label signed for one session, replayed into another, is ignored.
        await PostAsync(guard, request =>
        {
            request.Headers.Add(Header, SessionHeaderSignature.Sign(Key, "replayed", now));
            request.Headers.Add(ObservedHeader, SessionHeaderSignature.Sign(Key, "watched:true", now));
        });

        var sessions = sink.Calls.Select(c => c.Session).ToList();
        Assert.Equal(("watched", true), (sessions[0].Key.Id, sessions[0].Observed));
        Assert.Equal(("claimed", (bool?)null), (sessions[1].Key.Id, sessions[1].Observed));
        Assert.Equal(("replayed", (bool?)null), (sessions[2].Key.Id, sessions[2].Observed));
        Assert.All(upstream.Received, r => Assert.DoesNotContain(ObservedHeader, r.Headers.Keys, StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Post_EndToolWithoutSessionIds_NextCallStartsAnotherSession()
    {
        await using var upstream = await TestUpstream.StartRecordingAsync();
        var sink = new RecordingOversightSink();
        await using var guard = await TestGuard.StartAsync(output, upstream.Address, services: services => services.AddSingleton<Oversight.IOversightSink>(sink));
        var decisions = TestGuard.Collect(guard);

        await PostAsync(guard, _ => { });
        await PostAsync(guard, """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"end_task","arguments":{}}}""", _ => { });
        await PostAsync(guard, _ => { });

        var ids = decisions.Select(d => d.Call.Session).ToList();
        Assert.Equal(ids[0], ids[1]);
        Assert.NotEqual(ids[1], ids[2]);
        var (session, reason) = Assert.Single(sink.Ended);
        Assert.Equal((ids[0], SessionEndReason.EndTool), (session.Key.Id, reason));
    }

    [Fact]
    public async Task Post_MoreSessionsThanTheCap_LeastRecentlySeenEvictedAndCounted()
    {
        await using var upstream = await TestUpstream.StartRecordingAsync();
        var sink = new RecordingOversightSink();
        await using var guard = await TestGuard.StartAsync(
            output,
            upstream.Address,
            settings: new Dictionary<string, string?> { ["AgentGuard:Sessions:MaxSessions"] = "2" },
            services: services => services.AddSingleton<Oversight.IOversightSink>(sink));

        await PostAsync(guard, request => request.Headers.Add("Mcp-Session-Id", "a"));
        await PostAsync(guard, request => request.Headers.Add("Mcp-Session-Id", "b"));
        await PostAsync(guard, request => request.Headers.Add("Mcp-Session-Id", "a"));
        await PostAsync(guard, request => request.Headers.Add("Mcp-Session-Id", "c"));

        var (session, reason) = Assert.Single(sink.Ended);
        Assert.Equal(("b", SessionEndReason.Evicted), (session.Key.Id, reason));
        Assert.Equal(2, guard.Sessions.Count);
        var metrics = await ScrapeAsync(guard);
        Assert.Contains("agentguard_sessions_evicted_total 1", metrics, StringComparison.Ordinal);
        Assert.Contains("agentguard_sessions_ended_total{reason=\"evicted\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_NoSessionIds_IdleGapCutsSessionsAndTheIdleOneEnds()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var upstream = await TestUpstream.StartRecordingAsync();
        var sink = new RecordingOversightSink();
        await using var guard = await TestGuard.StartAsync(
            output,
            upstream.Address,
            settings: new Dictionary<string, string?> { ["AgentGuard:Sessions:IdleTimeout"] = "00:10:00" },
            services: services => services.AddSingleton<Oversight.IOversightSink>(sink),
            timeProvider: time);
        var decisions = TestGuard.Collect(guard);

        await PostAsync(guard, _ => { });
        time.Advance(TimeSpan.FromMinutes(9));
        await PostAsync(guard, _ => { });
        time.Advance(TimeSpan.FromMinutes(11));
        await Poll.UntilAsync(() => !sink.Ended.IsEmpty, "the idle session's end");
        await PostAsync(guard, _ => { });

        var ids = decisions.Select(d => d.Call.Session).ToList();
        Assert.Equal(ids[0], ids[1]);
        Assert.NotEqual(ids[1], ids[2]);
        var (session, reason) = Assert.Single(sink.Ended);
        Assert.Equal((ids[0], SessionEndReason.Idle), (session.Key.Id, reason));
        Assert.Contains("agentguard_sessions_ended_total{reason=\"idle\"} 1", await ScrapeAsync(guard), StringComparison.Ordinal);
    }

    public void Dispose() => File.Delete(_keyFile);

    private async Task<GuardHost> StartGuardAsync(TestUpstream upstream, RecordingOversightSink? sink = null)
    {
        await File.WriteAllTextAsync(_keyFile, Encoding.UTF8.GetString(Key) + "\n");
        return await TestGuard.StartAsync(
            output,
            upstream.Address,
            settings: new Dictionary<string, string?>
            {
                ["AgentGuard:Sessions:Header"] = Header,
                ["AgentGuard:Sessions:ObservedHeader"] = ObservedHeader,
                ["AgentGuard:Sessions:SigningKeyFile"] = _keyFile,
            },
            services: services => services.AddSingleton<Oversight.IOversightSink>(sink ?? new RecordingOversightSink()));
    }

    private static Task PostAsync(GuardHost guard, Action<HttpRequestMessage> configure) => PostAsync(guard, Call, configure);

    private static async Task PostAsync(GuardHost guard, string body, Action<HttpRequestMessage> configure)
    {
        using var http = new HttpClient();
        var response = await Mcp.PostAsync(http, new Uri(guard.DataAddress, "/mcp"), body, configure).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<string> ScrapeAsync(GuardHost guard)
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(new Uri(guard.AdminAddress, "/metrics"));
    }
}
