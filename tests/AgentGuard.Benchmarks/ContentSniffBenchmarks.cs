using AgentGuard.Content;
using AgentGuard.Infrastructure;
using BenchmarkDotNet.Attributes;

namespace AgentGuard.Benchmarks;

/// <summary>The sniffer over a 64 KiB window of each weights format, and of text (the usual content).</summary>
[Config(typeof(BenchmarkConfig))]
[BenchmarkCategory("Content")]
public class ContentSniffBenchmarks
{
    private byte[] _window = null!;

    [Params("safetensors", "gguf", "pytorch", "numpy", "onnx", "hdf5", "text")]
    public string Format { get; set; } = "text";

    [GlobalSetup]
    public void Setup()
    {
        var file = Format == "text"
            ? System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("Sample 0042: the model answered the customer question correctly.\n", 2000)))
            : ModelFiles.Build(Format, dataBytes: 2 * ModelFormatSniffer.Window);
        _window = file[..Math.Min(file.Length, ModelFormatSniffer.Window)];
        if ((ModelFormatSniffer.Sniff(_window) is null) != (Format == "text"))
        {
            throw new InvalidOperationException($"the {Format} window was not sniffed as expected");
        }
    }

    [Benchmark(Description = "sniff a 64 KiB window")]
    public ModelFormat? Sniff() => ModelFormatSniffer.Sniff(_window);
}
