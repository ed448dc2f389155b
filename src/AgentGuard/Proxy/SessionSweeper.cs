using Microsoft.Extensions.Options;
using AgentGuard.Sessions;

namespace AgentGuard.Proxy;

/// <summary>
/// Ends sessions that saw no call for the idle timeout, every <see cref="SessionOptions.IdleCheckInterval"/>;
/// when the guard stops, ends every live session so oversight sees them end.
/// </summary>
internal sealed class SessionSweeper(SessionEnds ends, IOptionsMonitor<GuardOptions> options, TimeProvider timeProvider) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.CurrentValue.Sessions.IdleCheckInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                ends.EndIdle(timeProvider.GetUtcNow() - options.CurrentValue.Sessions.IdleTimeout);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        ends.EndIdle(DateTimeOffset.MaxValue, SessionEndReason.Shutdown);
    }
}
