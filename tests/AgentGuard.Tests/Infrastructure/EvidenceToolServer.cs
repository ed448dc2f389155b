using System.ComponentModel;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Server;

namespace AgentGuard.Infrastructure;

/// <summary>
/// A real MCP tool server (ModelContextProtocol SDK, Streamable HTTP, with sessions: it issues an
/// <c>Mcp-Session-Id</c> and takes the transport's DELETE) whose tools return what an evaluator
/// reads: a data sheet, a result of a chosen size, and <c>end_task</c>.
/// </summary>
internal sealed class EvidenceToolServer : IAsyncDisposable
{
    /// <summary>What <c>view_sheet</c> returns; the password is there to be redacted in evidence.</summary>
    public const string Sheet = "Item 1: 12 (reference 12) correct\nItem 2: 7 (reference 9) wrong\nconnection: password=hunter2";

    private readonly WebApplication _app;

    private EvidenceToolServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>The server's base address; its MCP endpoint is <c>/mcp</c>.</summary>
    public Uri BaseAddress { get; }

    public static async Task<EvidenceToolServer> StartAsync()
    {
        var (app, baseAddress) = await McpToolHost.StartAsync<EvidenceTools>("evidence-tools", stateless: false);
        return new EvidenceToolServer(app, baseAddress);
    }

    public ValueTask DisposeAsync() => McpToolHost.StopAsync(_app);

    [McpServerToolType]
    internal sealed class EvidenceTools
    {
        [McpServerTool(Name = "view_sheet")]
        [Description("Show a data sheet.")]
        public static string ViewSheet([Description("The sheet.")] string name) => Sheet;

        [McpServerTool(Name = "big_result")]
        [Description("Return a text of the given length.")]
        public static string BigResult([Description("How many characters.")] int chars) => new('x', chars);

        [McpServerTool(Name = "end_task")]
        [Description("End the task.")]
        public static string EndTask() => "task ended";
    }
}
