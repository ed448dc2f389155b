namespace AgentGuard.Oversight;

/// <summary>With shared state: every heartbeat, takes over the open obligations of replicas that died, so that a mandated action skipped is still reported.</summary>
internal sealed partial class ObligationAdoption(IOversightSink sink, TimeSpan every, TimeProvider timeProvider, ILogger<ObligationAdoption> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (sink is not OversightService service)
        {
            return;
        }

        using var timer = new PeriodicTimer(every, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await service.AdoptAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A bug here must not stop the guard: the next tick tries again.
                    LogAdoptionFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Taking over the open obligations of stopped replicas failed")]
    private static partial void LogAdoptionFailed(ILogger logger, Exception exception);
}
