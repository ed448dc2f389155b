namespace AgentGuard.Sessions;

/// <summary>Oversight waits for the answers still being read before it looks at a later call.</summary>
public class SessionObservationTests
{
    private static Session NewSession() => new(new SessionKey("agent", "s"), DateTimeOffset.UnixEpoch, new SessionLimits());

    [Fact]
    public async Task Settles_once_every_answer_in_flight_has_ended()
    {
        var session = NewSession();
        session.ObservationStarted();
        session.ObservationStarted();
        var settled = session.ObservationsSettledAsync(TimeSpan.FromSeconds(30));

        session.ObservationEnded();
        await Task.Delay(20);
        Assert.False(settled.IsCompleted);

        session.ObservationEnded();
        await settled.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(session.Observing);
    }

    [Fact]
    public async Task Gives_up_at_its_limit_when_an_answer_never_ends()
    {
        var session = NewSession();
        session.ObservationStarted();

        await session.ObservationsSettledAsync(TimeSpan.FromMilliseconds(50)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(session.Observing);
    }
}
