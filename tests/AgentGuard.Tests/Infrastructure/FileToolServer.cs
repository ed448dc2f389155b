using System.Collections.Concurrent;
using System.ComponentModel;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Server;

namespace AgentGuard.Infrastructure;

/// <summary>
/// A real MCP tool server (ModelContextProtocol SDK, Streamable HTTP) with a file tool that takes
/// binary content as base64: <c>write_file(path, content)</c>. It writes the decoded bytes to the
/// path it is given (under a folder of the test's) and records each write that reaches it.
/// </summary>
internal sealed class FileToolServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FileToolServer(WebApplication app, Writes writes, Uri baseAddress)
    {
        _app = app;
        Received = writes;
        BaseAddress = baseAddress;
    }

    /// <summary>The server's base address; its MCP endpoint is <c>/mcp</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The paths written, with their bytes, in order.</summary>
    public Writes Received { get; }

    public static async Task<FileToolServer> StartAsync()
    {
        var writes = new Writes();
        var (app, baseAddress) = await McpToolHost.StartAsync<FileTools>("file-tools", stateless: true, services => services.AddSingleton(writes));
        return new FileToolServer(app, writes, baseAddress);
    }

    public ValueTask DisposeAsync() => McpToolHost.StopAsync(_app);

    /// <summary>The writes received.</summary>
    internal sealed class Writes : ConcurrentQueue<(string Path, byte[] Content)>;

    [McpServerToolType]
    internal sealed class FileTools(Writes writes)
    {
        [McpServerTool(Name = "write_file")]
        [Description("Write a file; content is base64.")]
        public string WriteFile([Description("The file's path.")] string path, [Description("The file's content, base64.")] string content)
        {
            var bytes = Convert.FromBase64String(content);
            File.WriteAllBytes(path, bytes);
            writes.Enqueue((path, bytes));
            return $"wrote {bytes.Length} bytes to {path}";
        }
    }
}
