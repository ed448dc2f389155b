using System.Diagnostics;
using System.Text.Json;

namespace AgentGuard.Cli;

/// <summary><c>agentguard policy explain</c> as a reviewer runs it: a real process, its output and exit code.</summary>
public sealed class PolicyExplainCommandTests
{
    private const string WeightsTransfer = """{"tool":"transfer_server_files","arguments":{"source_ip":"10.0.12.45","dest_ip":"10.0.12.46","filenames":["gemini_agent_2_model_weight.safetensors"]}}""";

    private static string ShippedPolicies => Path.Combine(AppContext.BaseDirectory, "policies");

    [Fact]
    public async Task Explain_WeightsTransfer_PrintsEachEffectItsRulesAndTheDecision()
    {
        var (code, stdout, _) = await RunAsync(null, "policy", "explain", "--policy", ShippedPolicies, WeightsTransfer);

        Assert.Equal(0, code);
        Assert.Contains("1. move host://10.0.12.45/gemini_agent_2_model_weight.safetensors -> host://10.0.12.46/", stdout, StringComparison.Ordinal);
        Assert.Contains("assets: model-weights", stdout, StringComparison.Ordinal);
        Assert.Contains("rules:  weights-exfiltration (deny, weight-exfiltration critical); weights-tampering (deny, weight-tampering high)", stdout, StringComparison.Ordinal);
        Assert.Contains("weights-timestamp-forgery (deny, timestamp-forgery high)", stdout, StringComparison.Ordinal);
        Assert.Contains("decision: deny by rule weights-exfiltration, finding weight-exfiltration (critical)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_HeldCall_PrintsTheHoldTerms()
    {
        var folder = Directory.CreateTempSubdirectory("agentguard-explain-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "holds.yaml"), AgentGuard.Holds.HoldingGuard.HoldRules);
            const string Rename = """{"tool":"rename_server_file","arguments":{"ip":"10.0.12.45","filename":"a.txt","new_filename":"b.txt"}}""";

            var (code, stdout, _) = await RunAsync(null, "policy", "explain", "--policy", ShippedPolicies, "--policy", folder, Rename);
            var (jsonCode, json, _) = await RunAsync(null, "policy", "explain", "--policy", ShippedPolicies, "--policy", folder, Rename, "--json");

            Assert.Equal(0, code);
            Assert.Contains("decision: hold by rule hold-server-rename, finding destructive-action (high), held for 2 distinct reviewers up to 20s", stdout, StringComparison.Ordinal);
            Assert.Equal(0, jsonCode);
            using var explained = JsonDocument.Parse(json);
            Assert.Equal("hold", explained.RootElement.GetProperty("decision").GetString());
            Assert.Equal(2, explained.RootElement.GetProperty("hold").GetProperty("reviewers").GetInt32());
            Assert.Equal(20, explained.RootElement.GetProperty("hold").GetProperty("timeout_seconds").GetDouble());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Explain_WeightsWrittenUnderANeutralName_NamesTheFormatTheContentWasRecognisedAs()
    {
        var content = Convert.ToBase64String(AgentGuard.Infrastructure.ModelFiles.Gguf(256));
        var call = $$$"""{"tool":"write_file","arguments":{"path":"/srv/notes/q3_notes.bin","content":"{{{content}}}"}}""";

        var (code, stdout, _) = await RunAsync(null, "policy", "explain", "--policy", ShippedPolicies, call);
        var (jsonCode, json, _) = await RunAsync(null, "policy", "explain", "--policy", ShippedPolicies, call, "--json");

        Assert.Equal((0, 0), (code, jsonCode));
        Assert.Contains("1. write file:///srv/notes/q3_notes.bin", stdout, StringComparison.Ordinal);
        Assert.Contains("content: gguf (recognised by its bytes)", stdout, StringComparison.Ordinal);
        Assert.Contains("assets: model-weights", stdout, StringComparison.Ordinal);
        Assert.Contains("decision: deny by rule weights-tampering", stdout, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json);
        Assert.Equal("gguf", Assert.Single(document.RootElement.GetProperty("effects").EnumerateArray()).GetProperty("format").GetString());
    }

    [Fact]
    public async Task Explain_ShellCallFromStandardInput_Json_ListsShellEffectsAndMatchingRules()
    {
        const string Call = """{"tool":"shell","arguments":{"cmd":"sed -i 's/true/false/' /srv/config/shutdown_config.yaml"},"agent":{"id":"gemini-agent-1","role":"evaluator"}}""";

        var (code, stdout, _) = await RunAsync(Call, "policy", "explain", "-", "--json");

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal("deny", root.GetProperty("decision").GetString());
        Assert.Equal("shutdown-tampering", root.GetProperty("finding").GetProperty("category").GetString());
        var write = Assert.Single(root.GetProperty("effects").EnumerateArray(), e => e.GetProperty("kind").GetString() == "write");
        Assert.Equal("file:///srv/config/shutdown_config.yaml", write.GetProperty("resource").GetString());
        Assert.Equal(["shutdown-control"], write.GetProperty("assets").EnumerateArray().Select(a => a.GetString()));
        Assert.Contains("shutdown-control-tampering", write.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Explain_JsonRpcBodyOfAHarmlessCall_AllowedByDefault()
    {
        const string Body = """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"view_config","arguments":{"filename":"shutdown_config.yaml"}}}""";

        var (code, stdout, _) = await RunAsync(null, "policy", "explain", Body, "--json");

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(("allow", "default"), (json.RootElement.GetProperty("decision").GetString(), json.RootElement.GetProperty("rule").GetString()));
        Assert.Equal("read", Assert.Single(json.RootElement.GetProperty("effects").EnumerateArray()).GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Explain_ShellCallWithoutCommand_ShowsTheInspectionDenial()
    {
        var (code, stdout, _) = await RunAsync(null, "policy", "explain", """{"tool":"bash","arguments":{"timeout":5}}""");

        Assert.Equal(0, code);
        Assert.Contains("decision: deny by rule inspection, finding inspection-failure", stdout, StringComparison.Ordinal);
        Assert.Contains("shell call has no command", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("""{"arguments":{}}""", "it names no tool")]
    [InlineData("""{"tool":"bash","arguments":"ls"}""", "'arguments' is not a JSON object")]
    public async Task Explain_UnusableCall_SaysWhyAndExitsOne(string call, string reason)
    {
        var (code, stdout, stderr) = await RunAsync(null, "policy", "explain", call);

        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Contains(reason, stderr, StringComparison.Ordinal);
        Assert.Contains("""Give it as {"tool":"bash","arguments":{"command":"..."}}""", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string? stdin, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "agentguard.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout, await stderr);
    }
}
