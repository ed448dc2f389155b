using AgentGuard.Audit;
using AgentGuard.Content;
using AgentGuard.Infrastructure;
using AgentGuard.Policy;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Xunit.Abstractions;

namespace AgentGuard.Proxy;

/// <summary>
/// Weights known by their bytes: model files written byte by byte to their specifications, renamed
/// to a neutral name and sent as base64 through a real MCP file tool behind the real guard with the
/// shipped policy. Weights are denied and never reach the tool server; other files arrive intact.
/// </summary>
public sealed class ModelContentEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private const string NeutralName = "q3_notes.bin";

    private readonly string _folder = Directory.CreateTempSubdirectory("agentguard-content-").FullName;

    public static TheoryData<string, string, ModelFormat> WeightsFiles => new()
    {
        { "safetensors", "model.safetensors", ModelFormat.Safetensors },
        { "gguf", "model.Q4_K_M.gguf", ModelFormat.Gguf },
        { "pytorch", "pytorch_model.pt", ModelFormat.PyTorch },
        { "numpy", "embeddings.npy", ModelFormat.NumPy },
        { "onnx", "model.onnx", ModelFormat.Onnx },
        { "hdf5", "model.h5", ModelFormat.Hdf5 },
    };

    public static TheoryData<string, string> OtherFiles => new()
    {
        { "text", "notes.txt" },
        { "csv", "employee_directory.csv" },
        { "pdf", "report.pdf" },
        { "plain-zip", "notes.zip" },
    };

    [Theory]
    [MemberData(nameof(WeightsFiles))]
    public async Task WeightsUnderANeutralName_WrittenThroughGuard_DeniedAsWeightsAndNeverForwarded(string file, string originalName, ModelFormat format)
    {
        // Larger than the sniffing window: the tensor data lies beyond what the guard decodes.
        var content = Renamed(originalName, ModelFiles.Build(file, dataBytes: 2 * ModelFormatSniffer.Window));
        await using var tools = await FileToolServer.StartAsync();
        await using var guard = await TestGuard.StartAsync(output, tools.BaseAddress);
        var decisions = TestGuard.Collect(guard);
        await using var client = await ConnectAsync(guard);

        var result = await WriteAsync(client, Path.Combine(_folder, "out-" + NeutralName), content);

        var text = Text(result);
        Assert.True(result.IsError == true, $"not denied: {text}");
        Assert.StartsWith("permission denied (ref: ", text, StringComparison.Ordinal);
        DecisionRecord record;
        lock (decisions)
        {
            record = Assert.Single(decisions, d => text.Contains(d.Reference, StringComparison.Ordinal));
        }

        Assert.Equal(DecisionKind.Deny, record.Decision.Kind);
        Assert.Equal("weight-tampering", record.Decision.Finding?.Category);
        Assert.Contains(record.Decision.Effects, e => e.Kind == Effects.EffectKind.Write && e.Format == format);
        Assert.Empty(tools.Received);
        Assert.False(File.Exists(Path.Combine(_folder, "out-" + NeutralName)));
    }

    [Theory]
    [MemberData(nameof(OtherFiles))]
    public async Task OtherFileUnderANeutralName_WrittenThroughGuard_ForwardedIntact(string file, string originalName)
    {
        var content = Renamed(originalName, ModelFiles.Build(file));
        await using var tools = await FileToolServer.StartAsync();
        await using var guard = await TestGuard.StartAsync(output, tools.BaseAddress);
        var decisions = TestGuard.Collect(guard);
        await using var client = await ConnectAsync(guard);
        var path = Path.Combine(_folder, "out-" + NeutralName);

        var result = await WriteAsync(client, path, content);

        Assert.False(result.IsError == true, Text(result));
        var write = Assert.Single(tools.Received);
        Assert.Equal(path, write.Path);
        Assert.Equal(content, write.Content);
        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        DecisionRecord record;
        lock (decisions)
        {
            record = Assert.Single(decisions, d => d.Call.Tool == "write_file");
        }

        Assert.Equal(DecisionKind.Allow, record.Decision.Kind);
        Assert.All(record.Decision.Effects, e => Assert.Null(e.Format));
    }

    [Fact]
    public async Task WeightsUnderANeutralName_WrittenThroughGuard_AuditRecordSaysWhichFormat()
    {
        var audit = Directory.CreateDirectory(Path.Combine(_folder, "audit")).FullName;
        var content = Renamed("model.Q4_K_M.gguf", ModelFiles.Gguf(1024));
        await using var tools = await FileToolServer.StartAsync();
        await using (var guard = await TestGuard.StartAsync(output, tools.BaseAddress, settings: new Dictionary<string, string?> { ["AgentGuard:Audit:Directory"] = audit }))
        {
            await using var client = await ConnectAsync(guard);
            var result = await WriteAsync(client, Path.Combine(_folder, "out-" + NeutralName), content);
            Assert.True(result.IsError == true, Text(result));
        }

        var line = Assert.Single(
            Directory.GetFiles(audit, "*.jsonl").SelectMany(File.ReadAllLines),
            l => l.Contains("\"tool\":\"write_file\"", StringComparison.Ordinal));
        Assert.Contains("\"resource\":\"file://" + _folder + "/out-q3_notes.bin\"", line, StringComparison.Ordinal);
        Assert.Contains("\"format\":\"gguf\"", line, StringComparison.Ordinal);
        Assert.Contains("\"finding\":\"weight-tampering\"", line, StringComparison.Ordinal);
        Assert.Empty(tools.Received);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Writes the file under its own name, renames it to the neutral name, and reads it back: what an agent would then send.</summary>
    private byte[] Renamed(string originalName, byte[] content)
    {
        var original = Path.Combine(_folder, originalName);
        File.WriteAllBytes(original, content);
        var neutral = Path.Combine(_folder, NeutralName);
        File.Move(original, neutral);
        return File.ReadAllBytes(neutral);
    }

    private static async Task<McpClient> ConnectAsync(GuardHost guard)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(guard.DataAddress, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            Name = "coding-agent",
        });
        return await McpClient.CreateAsync(transport, new McpClientOptions { ClientInfo = new Implementation { Name = "coding-agent", Version = "1.0.0" } });
    }

    private static async Task<CallToolResult> WriteAsync(McpClient client, string path, byte[] content)
    {
        try
        {
            return await client.CallToolAsync("write_file", new Dictionary<string, object?> { ["path"] = path, ["content"] = Convert.ToBase64String(content) });
        }
        catch (McpException ex)
        {
            return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = ex.Message }] };
        }
    }

    private static string Text(CallToolResult result)
        => string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));
}
