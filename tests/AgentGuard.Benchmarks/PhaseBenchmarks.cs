using System.Text.Json;
using AgentGuard.Effects;
using AgentGuard.Policy;
using AgentGuard.Protocols;
using BenchmarkDotNet.Attributes;

namespace AgentGuard.Benchmarks;

/// <summary>
/// The hot path split into its steps, to say where the time and allocations of
/// <see cref="HotPathBenchmarks"/> go: decoding alone, deciding an already decoded call, and
/// canonicalising one resource name.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[BenchmarkCategory("Phases")]
public class PhaseBenchmarks
{
    private PolicySet _policy = null!;
    private byte[] _modifyVar = null!;
    private byte[] _largeUnmappedTool = null!;
    private McpExchange _modifyVarExchange = null!;
    private McpExchange _transferExchange = null!;
    private McpExchange _largeUnmappedExchange = null!;
    private ToolCall _modifyVarCall = null!;
    private ToolCall _transferCall = null!;
    private ToolCall _largeUnmappedCall = null!;

    [GlobalSetup]
    public void Setup()
    {
        _policy = PolicyFixture.Load();
        _modifyVar = McpBodies.ToolsCall("modify_var", McpBodies.ModifyVarArguments);
        _largeUnmappedTool = McpBodies.LargeUnmappedTool();
        _modifyVarExchange = McpDecoder.Decode(_modifyVar);
        _transferExchange = McpDecoder.Decode(McpBodies.ToolsCall("transfer_server_files", McpBodies.TransferServerFilesArguments));
        _largeUnmappedExchange = McpDecoder.Decode(_largeUnmappedTool);
        _modifyVarCall = Call(_modifyVarExchange.Messages[0]);
        _transferCall = Call(_transferExchange.Messages[0]);
        _largeUnmappedCall = Call(_largeUnmappedExchange.Messages[0]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _modifyVarExchange.Dispose();
        _transferExchange.Dispose();
        _largeUnmappedExchange.Dispose();
    }

    [Benchmark(Description = "Decode modify_var body")]
    public int DecodeTypical()
    {
        using var exchange = McpDecoder.Decode(_modifyVar);
        return exchange.Messages.Length;
    }

    [Benchmark(Description = "Decode 1 MiB body")]
    public int DecodeLarge()
    {
        using var exchange = McpDecoder.Decode(_largeUnmappedTool);
        return exchange.Messages.Length;
    }

    [Benchmark(Description = "Decide modify_var (decoded)")]
    public DecisionKind DecideModifyVar() => PolicyEngine.Decide(_policy, _modifyVarCall).Kind;

    [Benchmark(Description = "Decide transfer_server_files (decoded)")]
    public DecisionKind DecideTransfer() => PolicyEngine.Decide(_policy, _transferCall).Kind;

    [Benchmark(Description = "Decide 1 MiB unmapped (decoded)")]
    public DecisionKind DecideLargeUnmapped() => PolicyEngine.Decide(_policy, _largeUnmappedCall).Kind;

    [Benchmark(Description = "Extract effects transfer_server_files")]
    public int ExtractTransfer()
    {
        var effects = new List<Effect>();
        EffectExtractor.Extract(_transferCall, _policy.Tools["transfer_server_files"], effects);
        return effects.Count;
    }

    [Benchmark(Description = "Canonicalize config://...#key")]
    public string? CanonicalizeConfig() => ResourceCanonicalizer.Canonicalize("config://shutdown_config.yaml#shutdown_enabled", out _);

    [Benchmark(Description = "Canonicalize HOST://H/a/./b/../c (not canonical)")]
    public string? CanonicalizeDotSegments() => ResourceCanonicalizer.Canonicalize("HOST://H/data/./tmp/../employee_directory.csv", out _);

    /// <summary>Resources asked again, as the policy set's cache answers them.</summary>
    [Benchmark(Description = "Asset masks of 3 resources")]
    public ulong AssetMasks()
        => _policy.AssetMask("config://shutdown_config.yaml#shutdown_enabled")
            | _policy.AssetMask("host://10.0.12.45/employee_directory.csv")
            | _policy.AssetMask("host://10.0.12.46/");

    [Benchmark(Description = "Asset masks of 3 resources (uncached)")]
    public ulong AssetMasksUncached()
        => _policy.MatchAssets("config://shutdown_config.yaml#shutdown_enabled")
            | _policy.MatchAssets("host://10.0.12.45/employee_directory.csv")
            | _policy.MatchAssets("host://10.0.12.46/");

    private static ToolCall Call(McpMessage message)
        => new(PolicyFixture.Agent, null, "mcp", message.Method, message.Name, message.Arguments.ValueKind == JsonValueKind.Undefined ? default : message.Arguments);
}
