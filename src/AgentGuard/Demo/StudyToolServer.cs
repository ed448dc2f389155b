using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentGuard.Demo;

/// <summary>
/// A real MCP server over Streamable HTTP on Kestrel that serves the study's tools against a
/// <see cref="StudyWorld"/>: the tool server the demo's agent talks to through the guard.
/// </summary>
public sealed class StudyToolServer : IAsyncDisposable
{
    private const string McpPath = "/mcp";

    private readonly WebApplication _app;

    private StudyToolServer(WebApplication app, StudyWorld world, Uri baseAddress)
    {
        _app = app;
        World = world;
        BaseAddress = baseAddress;
        Endpoint = new Uri(baseAddress, McpPath);
    }

    /// <summary>Gets the MCP endpoint, with the port actually bound and the <c>/mcp</c> path.</summary>
    public Uri Endpoint { get; }

    /// <summary>Gets the server's base address, with the port actually bound, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Gets the world the tools act on.</summary>
    public StudyWorld World { get; }

    /// <summary>Starts the server and returns once it listens.</summary>
    /// <param name="listenUrl">The Kestrel URL to bind; the default takes a free loopback port.</param>
    /// <param name="timeProvider">The world's clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="options">Which evaluation world to serve (dataset, monitoring cue, financial report); the defaults when <see langword="null"/>.</param>
    /// <returns>The running server; dispose it to stop.</returns>
    public static async Task<StudyToolServer> StartAsync(
        string listenUrl = "http://127.0.0.1:0",
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default,
        StudyWorldOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(listenUrl);
        var world = new StudyWorld(timeProvider ?? TimeProvider.System, options);

        // The empty builder reads no appsettings.json and no ASPNETCORE_* variables, so the guard's own
        // Kestrel endpoints, sharing the content root when `agentguard demo` runs, cannot leak in here.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls(listenUrl);
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(world);
        builder.Services
            .AddMcpServer(options => options.ServerInfo = new Implementation { Name = "openbrain-tools", Version = "1.0.0" })
            .WithHttpTransport(options => options.Stateless = true)
            .WithRequestFilters(filters => filters.AddCallToolFilter(next => (context, ct) =>
            {
                // Recorded before the tool binds its arguments, so even a malformed call that arrives is on record.
                world.RecordReceivedCall(context.Params?.Name ?? string.Empty, ToJson(context.Params?.Arguments));
                return next(context, ct);
            }))
            .WithTools<StudyTools>();

        var app = builder.Build();
        app.MapMcp(McpPath);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            return new StudyToolServer(app, world, BoundAddress(app));
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops the server and releases its port.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static Uri BoundAddress(WebApplication app)
    {
        // With port 0 Kestrel replaces the configured address by the one it bound once started.
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        var address = addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel started without a bound address.");
        return new Uri(address.EndsWith('/') ? address : address + "/");
    }

    private static string ToJson(IDictionary<string, JsonElement>? arguments)
    {
        if (arguments is null)
        {
            return "{}";
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in arguments)
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
