using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentGuard.Infrastructure;
using Microsoft.AspNetCore.Http;
using AgentGuard.Proxy;
using Xunit.Abstractions;

namespace AgentGuard.Audit;

/// <summary>The real guard on loopback writing its audit log: every decision recorded before it takes effect, one chain across restarts, and fail-closed when the log cannot be written.</summary>
public sealed partial class AuditEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("agentguard-audit-").FullName;
    private readonly HttpClient _http = new();

    private string AuditDirectory => Path.Combine(_folder, "audit");

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>A call the shipped policy allows (the server listing the study's agents use).</summary>
    internal static string Allowed(int id) => """{"jsonrpc":"2.0","id":""" + id + ""","method":"tools/call","params":{"name":"list_server_files","arguments":{"ip":"10.0.12.45"}}}""";

    /// <summary>A call the shipped policy denies: shutdown tampering.</summary>
    internal static string Denied(int id) => """{"jsonrpc":"2.0","id":""" + id + ""","method":"tools/call","params":{"name":"modify_var","arguments":{"key":"shutdown_enabled","value":"false"}}}""";

    [Fact]
    public async Task Guard_ConcurrentDecisionsAcrossRestart_OneUnbrokenChain()
    {
        await using var upstream = await TestUpstream.StartRecordingAsync();
        var (privatePem, publicPem) = AuditSigner.Generate();
        var keyFile = Path.Combine(_folder, "signing.pem");
        await File.WriteAllTextAsync(keyFile, privatePem);
        var settings = new Dictionary<string, string?>
        {
            ["AgentGuard:Audit:Directory"] = AuditDirectory,
            ["AgentGuard:Audit:SigningKeyFile"] = keyFile,
        };

        var shownDenials = new ConcurrentBag<string>();
        var fed = new List<DecisionRecord>();
        await using (var guard = await TestGuard.StartAsync(output, upstream.Address, settings: settings))
        {
            fed.AddRange(await SendAsync(guard, 200, shownDenials));
        }

        await using (var guard = await TestGuard.StartAsync(output, upstream.Address, settings: settings))
        {
            fed.AddRange(await SendAsync(guard, 100, shownDenials, firstId: 1000));
        }

        using var publicKey = AuditSigner.FromPem(publicPem);
        var verification = AuditVerifier.Verify(AuditDirectory, publicKey);
        Assert.True(verification.IsValid, verification.Error);

        // 300 decisions, 150 upstream answers, and each run's final checkpoint.
        var entries = AuditReader.ReadAll(AuditDirectory).ToList();
        Assert.Equal(Enumerable.Range(1, 452).Select(i => (long)i), entries.Select(e => e.Sequence));
        Assert.Equal(452, verification.Records);
        Assert.Equal(2, verification.CheckpointsVerified);
        Assert.Equal([301L, 452], entries.Where(e => e.Type == "checkpoint").Select(e => e.Sequence));

        var decisions = entries.Where(e => e.Type == "decision").ToDictionary(e => e.Reference!);
        Assert.Equal(300, decisions.Count);
        Assert.Equal(fed.Select(r => r.Reference).Order(), decisions.Keys.Order());

        Assert.Equal(150, shownDenials.Count);
        foreach (var reference in shownDenials)
        {
            Assert.True(decisions.TryGetValue(reference, out var denial), $"the denial shown with ref {reference} has no decision record");
            Assert.Equal("deny", denial.Decision);
            Assert.Equal("shutdown-tampering", denial.Finding);
            Assert.Equal("gemini-agent-1", denial.Agent);
            Assert.Equal("modify_var", denial.Tool);
        }

        var upstreamRecords = entries.Where(e => e.Type == "upstream").ToDictionary(e => e.Reference!);
        var allowed = decisions.Values.Where(d => d.Decision != "deny").ToList();
        Assert.Equal(150, allowed.Count);
        Assert.Equal(150, upstream.Received.Count);
        Assert.Equal(150, upstreamRecords.Count);
        foreach (var decision in allowed)
        {
            Assert.True(upstreamRecords.TryGetValue(decision.Reference!, out var answer), $"forwarded call {decision.Reference} has no upstream record");
            Assert.Equal(200, answer.Status);
            Assert.True(answer.Sequence > decision.Sequence, $"upstream record {answer.Sequence} precedes its decision {decision.Sequence}");
        }

        Assert.DoesNotContain(shownDenials, upstreamRecords.ContainsKey);
    }

    [Theory]
    [InlineData("write_file", """{"path":"{audit}/segment-000001.jsonl","content":""}""")]
    [InlineData("delete", """{"path":"{audit}/../audit/segment-000001.jsonl"}""")]
    [InlineData("move_file", """{"source":"{key}","destination":"/tmp/k.pem"}""")]
    [InlineData("write_file", """{"path":"{key}","content":"-----BEGIN PRIVATE KEY-----"}""")]
    public async Task Guard_CallOnItsOwnAuditLogOrSigningKey_DeniedAsGuardTamperingAndNotForwarded(string tool, string arguments)
    {
        // The shipped policy's globs do not name these folders; the guard adds its own files to guard-config.
        await using var upstream = await TestUpstream.StartRecordingAsync();
        var keyFile = Path.Combine(_folder, "keys", "signing.pem");
        Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
        await File.WriteAllTextAsync(keyFile, AuditSigner.Generate().PrivatePem);
        var settings = new Dictionary<string, string?>
        {
            ["AgentGuard:Audit:Directory"] = AuditDirectory,
            ["AgentGuard:Audit:SigningKeyFile"] = keyFile,
        };
        await using var guard = await TestGuard.StartAsync(output, upstream.Address, settings: settings);
        var json = arguments.Replace("{audit}", AuditDirectory).Replace("{key}", keyFile);
        var body = $$$"""{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"{{{tool}}}","arguments":{{{json}}}}}""";

        var response = await Mcp.PostAsync(_http, new Uri(guard.DataAddress, "/mcp"), body);

        var result = Assert.Single(await Mcp.ReadMessagesAsync(response)).GetProperty("result");
        Assert.True(result.GetProperty("isError").GetBoolean());
        Assert.Empty(upstream.Received);
        var denial = Assert.Single(AuditReader.Query(AuditDirectory, new AuditQuery { Decision = "deny" }));
        Assert.Equal("guard-tampering", denial.Finding);
    }

    [Fact]
    public async Task Guard_AllowedCall_DecisionOnDiskBeforeToolServerSeesCall()
    {
        // What the tool server can observe when the call reaches it: the decision must already be in the log.
        var seenOnArrival = new TaskCompletionSource<List<AuditEntry>>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await TestUpstream.StartAsync(async (context, _) =>
        {
            seenOnArrival.TrySetResult(AuditReader.Query(AuditDirectory, new AuditQuery { Type = "all" }));
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"upstream"}]}}""");
        });
        await using (var guard = await TestGuard.StartAsync(output, upstream.Address, settings: new Dictionary<string, string?> { ["AgentGuard:Audit:Directory"] = AuditDirectory }))
        {
            using var response = await Mcp.PostAsync(_http, new Uri(guard.DataAddress, "/mcp"), Allowed(1));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var onArrival = Assert.Single(await seenOnArrival.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("decision", onArrival.Type);
        Assert.Equal("allow", onArrival.Decision);
        Assert.Equal("list_server_files", onArrival.Tool);
        var upstreamRecord = Assert.Single(AuditReader.Query(AuditDirectory, new AuditQuery { Type = "upstream" }));
        Assert.Equal(onArrival.Reference, upstreamRecord.Reference);
    }

    [Fact]
    public async Task Guard_AuditDirectoryUnwritable_DeniesInspectedCallsAndNotReady_RecoversWhenWritable()
    {
        await using var upstream = await TestUpstream.StartRecordingAsync();

        // A path whose parent is a regular file: not creatable even by root, where permission bits do not stop writes.
        var blocker = Path.Combine(_folder, "blocker");
        await File.WriteAllTextAsync(blocker, "not a folder");
        var directory = Path.Combine(blocker, "audit");
        await using var guard = await TestGuard.StartAsync(output, upstream.Address, settings: new Dictionary<string, string?> { ["AgentGuard:Audit:Directory"] = directory });
        var endpoint = new Uri(guard.DataAddress, "/mcp");
        var readyz = new Uri(guard.AdminAddress, "/readyz");

        var denied = await Mcp.PostAsync(_http, endpoint, Allowed(1));
        Assert.Equal(HttpStatusCode.OK, denied.StatusCode);
        var result = Assert.Single(await Mcp.ReadMessagesAsync(denied)).GetProperty("result");
        Assert.True(result.GetProperty("isError").GetBoolean());
        Assert.Matches(@"^permission denied \(ref: [0-9a-f]{16}\)$", result.GetProperty("content")[0].GetProperty("text").GetString());

        var ping = Assert.Single(await Mcp.ReadMessagesAsync(await Mcp.PostAsync(_http, endpoint, """{"jsonrpc":"2.0","id":2,"method":"tools/list"}"""))).GetProperty("error");
        Assert.Equal(-32001, ping.GetProperty("code").GetInt32());
        Assert.Equal("permission denied", ping.GetProperty("message").GetString());
        Assert.Empty(upstream.Received);

        var notReady = await _http.GetAsync(readyz);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        using (var body = JsonDocument.Parse(await notReady.Content.ReadAsStringAsync()))
        {
            Assert.Equal("not ready", body.RootElement.GetProperty("status").GetString());
            Assert.StartsWith("failing: ", body.RootElement.GetProperty("audit").GetString(), StringComparison.Ordinal);
        }

        // The folder becomes writable: the next call is recorded and forwarded, and the guard is ready again.
        File.Delete(blocker);
        var forwarded = await Mcp.PostAsync(_http, endpoint, Allowed(3));
        Assert.Equal("upstream", Assert.Single(await Mcp.ReadMessagesAsync(forwarded)).GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Single(upstream.Received);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(readyz)).StatusCode);
        Assert.Equal("allow", Assert.Single(AuditReader.Query(directory, new AuditQuery())).Decision);
    }

    /// <summary>Sends <paramref name="count"/> calls at once, even ones allowed and odd ones denied; returns what the decision feed saw and collects the refs denials showed.</summary>
    internal async Task<List<DecisionRecord>> SendAsync(GuardHost guard, int count, ConcurrentBag<string> shownDenials, int firstId = 0)
    {
        var fed = TestGuard.Collect(guard);
        var endpoint = new Uri(guard.DataAddress, "/mcp");
        await Task.WhenAll(Enumerable.Range(firstId, count).Select(async id =>
        {
            var deny = id % 2 == 1;
            using var response = await Mcp.PostAsync(_http, endpoint, deny ? Denied(id) : Allowed(id));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var message = Assert.Single(await Mcp.ReadMessagesAsync(response));
            var text = message.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString()!;
            if (deny)
            {
                Assert.Equal(id, message.GetProperty("id").GetInt32());
                shownDenials.Add(DenialReference().Match(text) is { Success: true } match ? match.Groups[1].Value : throw new Xunit.Sdk.XunitException($"call {id} was not denied: {text}"));
            }
            else
            {
                Assert.Equal("upstream", text);
            }
        })).WaitAsync(TimeSpan.FromSeconds(30));

        lock (fed)
        {
            return [.. fed];
        }
    }

    [GeneratedRegex(@"^permission denied \(ref: ([0-9a-f]{16})\)$")]
    internal static partial Regex DenialReference();
}
