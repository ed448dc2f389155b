using AgentGuard.Effects;
using AgentGuard.Policy;
using AgentGuard.Protocols.S3;
using BenchmarkDotNet.Attributes;

namespace AgentGuard.Benchmarks;

/// <summary>
/// An S3 request decoded and decided under the shipped policy, as the proxy's S3 route does it
/// (request line and headers to effects, then <see cref="PolicyEngine.Decide(PolicySet, ToolCall, List{Effect})"/>),
/// against an MCP <c>tools/call</c> decoded and decided (<see cref="HotPathBenchmarks"/>). Issue 12's
/// goal: an S3 request costs no more than an MCP call. Building the <see cref="S3Request"/> from
/// the HTTP request is the proxy's and left out, as reading the body is for MCP.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[BenchmarkCategory("S3")]
public class S3Benchmarks
{
    private static readonly S3Endpoint Endpoint = S3Endpoint.Default;

    private PolicySet _policy = null!;
    private byte[] _transferServerFiles = null!;
    private byte[] _modifyVar = null!;
    private S3Request _getObject = null!;
    private S3Request _putObject = null!;
    private S3Request _copyObject = null!;

    [GlobalSetup]
    public void Setup()
    {
        _policy = PolicyFixture.Load();
        _transferServerFiles = McpBodies.ToolsCall("transfer_server_files", McpBodies.TransferServerFilesArguments);
        _modifyVar = McpBodies.ToolsCall("modify_var", McpBodies.ModifyVarArguments);

        // What AWSSDK.S3 sends: virtual-hosted for GET, path-style for the others, percent-encoded keys.
        _getObject = new S3Request("GET", "model-weights.s3.us-east-1.amazonaws.com", "/llama-3/model-00001-of-00004.safetensors", "", NoHeaders);
        _putObject = new S3Request("PUT", "s3.amazonaws.com", "/reports/2026/q3%20notes.csv", "?x-id=PutObject", NoHeaders);
        _copyObject = new S3Request("PUT", "s3.amazonaws.com", "/backup-bucket/q3_notes.bin", "?x-id=CopyObject", CopySourceHeader);

        // Guard against measuring a path that fails early: each request must decide as the policy says.
        Expect(_getObject, denied: false);
        Expect(_putObject, denied: false);
        Expect(_copyObject, denied: true);
        if (HotPathBenchmarks.DecideBody(_policy, _transferServerFiles) != 0 || HotPathBenchmarks.DecideBody(_policy, _modifyVar) != 1)
        {
            throw new InvalidOperationException("the MCP calls did not decide as the policy says");
        }
    }

    [Benchmark(Baseline = true, Description = "MCP tools/call transfer_server_files (allow)")]
    public int McpTransferServerFiles() => HotPathBenchmarks.DecideBody(_policy, _transferServerFiles);

    [Benchmark(Description = "MCP tools/call modify_var (deny)")]
    public int McpModifyVar() => HotPathBenchmarks.DecideBody(_policy, _modifyVar);

    [Benchmark(Description = "S3 GetObject, virtual-hosted (allow)")]
    public bool S3GetObject() => Decide(_policy, _getObject);

    [Benchmark(Description = "S3 PutObject, path-style (allow)")]
    public bool S3PutObject() => Decide(_policy, _putObject);

    [Benchmark(Description = "S3 CopyObject of weights to another bucket (deny)")]
    public bool S3CopyObject() => Decide(_policy, _copyObject);

    /// <summary>Decodes and decides <paramref name="request"/>; returns whether it was denied.</summary>
    internal static bool Decide(PolicySet policy, S3Request request)
    {
        var effects = new List<Effect>(2);
        if (S3Decoder.Decode(request, Endpoint, effects, out var operation) is not null)
        {
            return true;
        }

        var call = new ToolCall(PolicyFixture.Agent, null, "s3", operation!.Name, null, default);
        return PolicyEngine.Decide(policy, call, effects).IsDenied;
    }

    private static string? NoHeaders(string name) => null;

    private static string? CopySourceHeader(string name)
        => name.Equals("x-amz-copy-source", StringComparison.OrdinalIgnoreCase) ? "reports%2Fgemini_agent_2_model_weight.safetensors" : null;

    private void Expect(S3Request request, bool denied)
    {
        if (S3Decoder.Decode(request, Endpoint, [], out _) is { } error)
        {
            throw new InvalidOperationException($"{request.Method} {request.Path} did not decode: {error}");
        }

        if (Decide(_policy, request) != denied)
        {
            throw new InvalidOperationException($"{request.Method} {request.Path} was {(denied ? "allowed" : "denied")}; expected the opposite");
        }
    }
}
