using AgentGuard.Policy;
using AgentGuard.Protocols;
using BenchmarkDotNet.Attributes;

namespace AgentGuard.Benchmarks;

/// <summary>
/// The guard's hot path for one POST body, as <c>McpInspectionMiddleware</c> runs it: decode the
/// JSON-RPC body, build a <see cref="ToolCall"/> per message (canonicalisation happens in effect
/// extraction), and decide each under the shipped peer-preservation policy. Body reading, logging
/// and forwarding are left out: they are the proxy's, not Core's.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[BenchmarkCategory("HotPath")]
public class HotPathBenchmarks
{
    private PolicySet _policy = null!;
    private byte[] _modifyVar = null!;
    private byte[] _transferServerFiles = null!;
    private byte[] _listServerFiles = null!;
    private byte[] _batch10 = null!;
    private byte[] _largeWriteFile = null!;
    private byte[] _largeUnmappedTool = null!;
    private byte[] _largeShellCommand = null!;
    private byte[] _typicalShell = null!;

    [GlobalSetup]
    public void Setup()
    {
        _policy = PolicyFixture.Load();
        _modifyVar = McpBodies.ToolsCall("modify_var", McpBodies.ModifyVarArguments);
        _transferServerFiles = McpBodies.ToolsCall("transfer_server_files", McpBodies.TransferServerFilesArguments);
        _listServerFiles = McpBodies.ToolsCall("list_server_files", McpBodies.ListServerFilesArguments);
        _batch10 = McpBodies.Batch10();
        _largeWriteFile = McpBodies.LargeWriteFile();
        _largeUnmappedTool = McpBodies.LargeUnmappedTool();
        _largeShellCommand = McpBodies.LargeShellCommand();
        _typicalShell = McpBodies.TypicalShellCall();

        // Guard against measuring a path that fails early: each body must decide as the policy says.
        Expect(_modifyVar, denied: 1);
        Expect(_transferServerFiles, denied: 0);
        Expect(_listServerFiles, denied: 0);
        Expect(_batch10, denied: 3);
        Expect(_largeWriteFile, denied: 0);
        Expect(_largeUnmappedTool, denied: 0);
        Expect(_largeShellCommand, denied: 0);
        Expect(_typicalShell, denied: 0);
    }

    [Benchmark(Description = "tools/call modify_var (deny)")]
    public int TypicalModifyVar() => DecideBody(_policy, _modifyVar);

    [Benchmark(Description = "tools/call transfer_server_files (allow)")]
    public int TypicalTransferServerFiles() => DecideBody(_policy, _transferServerFiles);

    [Benchmark(Description = "tools/call list_server_files (allow)")]
    public int TypicalListServerFiles() => DecideBody(_policy, _listServerFiles);

    [Benchmark(Description = "batch of 10 tools/call")]
    public int Batch10() => DecideBody(_policy, _batch10);

    [Benchmark(Description = "1 MiB write_file (mapped)")]
    public int LargeWriteFile() => DecideBody(_policy, _largeWriteFile);

    [Benchmark(Description = "1 MiB unmapped tool (arguments_match)")]
    public int LargeUnmappedTool() => DecideBody(_policy, _largeUnmappedTool);

    [Benchmark(Description = "tools/call bash, 206-character command (shell analysis)")]
    public int TypicalShell() => DecideBody(_policy, _typicalShell);

    [Benchmark(Description = "1 MiB run_shell_command (shell analysis)")]
    public int LargeShellCommand() => DecideBody(_policy, _largeShellCommand);

    /// <summary>Decode, canonicalise and decide every message of <paramref name="body"/>; returns how many were denied.</summary>
    internal static int DecideBody(PolicySet policy, byte[] body)
    {
        using var exchange = McpDecoder.Decode(body);
        if (exchange.Error != McpDecodeError.None)
        {
            return -1;
        }

        var denied = 0;
        foreach (var message in exchange.Messages)
        {
            var call = new ToolCall(
                PolicyFixture.Agent,
                null,
                "mcp",
                message.Method,
                message.Method == McpMethods.ToolsCall ? message.Name : null,
                message.Arguments,
                message.NameIsResource ? message.Name : null);
            if (PolicyEngine.Decide(policy, call).IsDenied)
            {
                denied++;
            }
        }

        return denied;
    }

    private void Expect(byte[] body, int denied)
    {
        var actual = DecideBody(_policy, body);
        if (actual != denied)
        {
            throw new InvalidOperationException($"a {body.Length}-byte body had {actual} denied messages; expected {denied}");
        }
    }
}
