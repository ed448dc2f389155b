using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;

namespace AgentGuard.Infrastructure;

/// <summary>Hosts the test tool servers: a real MCP server (ModelContextProtocol SDK, Streamable HTTP) on loopback, its endpoint <c>/mcp</c>.</summary>
internal static class McpToolHost
{
    /// <param name="name">The server's name in its <c>initialize</c> answer.</param>
    /// <param name="stateless">Whether it issues no <c>Mcp-Session-Id</c>.</param>
    /// <param name="services">Services its tools take (the queue they record into).</param>
    public static async Task<(WebApplication App, Uri BaseAddress)> StartAsync<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TTools>(
        string name, bool stateless, Action<IServiceCollection>? services = null)
        where TTools : class
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls("http://127.0.0.1:0");
        builder.Services.AddRoutingCore();
        services?.Invoke(builder.Services);
        builder.Services
            .AddMcpServer(options => options.ServerInfo = new Implementation { Name = name, Version = "1.0.0" })
            .WithHttpTransport(options => options.Stateless = stateless)
            .WithTools<TTools>();
        var app = builder.Build();
        app.MapMcp("/mcp");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return (app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    /// <summary>Stops and disposes a server <see cref="StartAsync"/> started.</summary>
    public static async ValueTask StopAsync(WebApplication app)
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
