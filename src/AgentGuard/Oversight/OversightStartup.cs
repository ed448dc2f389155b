using AgentGuard.Sessions;

namespace AgentGuard.Oversight;

/// <summary>Starts oversight with the data plane: the obligations a previous run left open are taken back before the first call.</summary>
internal sealed partial class OversightStartup(IOversightSink sink, ISessionStore sessions, ILogger<OversightStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (sink is OversightService service && service.Restore(sessions) is { Count: > 0 } restored)
        {
            LogRestored(logger, restored.Count);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} obligations left open by the previous run are tracked again; their sessions end by the idle timeout unless the agent goes on")]
    private static partial void LogRestored(ILogger logger, int count);
}
