using AgentGuard.Infrastructure;
using AgentGuard.Policy;
using BenchmarkDotNet.Attributes;

namespace AgentGuard.Benchmarks;

/// <summary>
/// A mapped <c>write_file</c> whose 1 MiB base64 content is sniffed, decoded and decided under the
/// shipped policy: plain base64 as a JavaScript client sends it, and with '+' escaped as
/// System.Text.Json writes it. Compare with HotPathBenchmarks' 1 MiB text write_file.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[BenchmarkCategory("Content")]
public class ContentWriteBenchmarks
{
    private PolicySet _policy = null!;
    private byte[] _writeWeights = null!;
    private byte[] _writeWeightsEscaped = null!;

    [GlobalSetup]
    public void Setup()
    {
        _policy = PolicyFixture.Load();
        var weights = Convert.ToBase64String(ModelFiles.Safetensors(768 * 1024));
        _writeWeights = McpBodies.ToolsCall("write_file", $$"""{"path":"/srv/notes/q3_notes.bin","content":"{{weights}}"}""");
        _writeWeightsEscaped = McpBodies.ToolsCall("write_file", $$"""{"path":"/srv/notes/q3_notes.bin","content":"{{weights.Replace("+", "\\u002B", StringComparison.Ordinal)}}"}""");

        // Guard against measuring a path that fails early: both must be denied as weights.
        foreach (var body in new[] { _writeWeights, _writeWeightsEscaped })
        {
            if (HotPathBenchmarks.DecideBody(_policy, body) != 1)
            {
                throw new InvalidOperationException($"a {body.Length}-byte weights write was not denied");
            }
        }
    }

    [Benchmark(Description = "1 MiB base64 weights write_file (sniffed, denied)")]
    public int WriteWeights() => HotPathBenchmarks.DecideBody(_policy, _writeWeights);

    [Benchmark(Description = "1 MiB escaped base64 weights write_file (sniffed, denied)")]
    public int WriteWeightsEscaped() => HotPathBenchmarks.DecideBody(_policy, _writeWeightsEscaped);
}
