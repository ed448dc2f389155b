using AgentGuard.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace AgentGuard.Sessions;

public sealed class InMemorySessionStoreTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public void GetOrStart_SameKeyTwice_ReturnsTheSameSession()
    {
        var store = new InMemorySessionStore(new SessionStoreOptions(), _time);
        var first = store.GetOrStart(new SessionKey("a", "s1"), _time.GetUtcNow());
        var second = store.GetOrStart(new SessionKey("a", "s1"), _time.GetUtcNow());

        Assert.Same(first, second);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void GetOrStart_SameIdOtherAgent_StartsAnotherSession()
    {
        var store = new InMemorySessionStore(new SessionStoreOptions(), _time);
        var mine = store.GetOrStart(new SessionKey("a", "s1"), _time.GetUtcNow());
        var theirs = store.GetOrStart(new SessionKey("b", "s1"), _time.GetUtcNow());

        Assert.NotSame(mine, theirs);
        Assert.Equal(2, store.Count);
    }

    [Fact]
    public void GetOrStart_Full_EvictsTheLeastRecentlySeenAndCountsIt()
    {
        var store = new InMemorySessionStore(new SessionStoreOptions { MaxSessions = 3 }, _time);
        var evicted = new List<Session>();
        store.Evicted += evicted.Add;
        var s1 = store.GetOrStart(new SessionKey("a", "1"), At(0));
        store.GetOrStart(new SessionKey("a", "2"), At(1));
        store.GetOrStart(new SessionKey("a", "3"), At(2));

        // Seen again: 2 is now the least recently seen.
        store.GetOrStart(new SessionKey("a", "1"), At(3));
        store.GetOrStart(new SessionKey("a", "4"), At(4));

        Assert.Equal(3, store.Count);
        Assert.Equal("2", Assert.Single(evicted).Key.Id);
        Assert.Equal(1, store.EvictedCount);
        Assert.Same(s1, store.GetOrStart(new SessionKey("a", "1"), At(5)));
    }

    [Fact]
    public void GetOrStart_ManyThreads_NeverMoreThanTheCap()
    {
        var store = new InMemorySessionStore(new SessionStoreOptions { MaxSessions = 50 }, _time);
        var evicted = 0;
        store.Evicted += _ => Interlocked.Increment(ref evicted);
        Parallel.For(0, 2000, i => store.GetOrStart(new SessionKey("a", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), At(i)));

        Assert.Equal(50, store.Count);
        Assert.Equal(1950, evicted);
    }

    [Fact]
    public void TryEnd_LiveSession_RemovesItOnce()
    {
        var store = new InMemorySessionStore(new SessionStoreOptions(), _time);
        var started = store.GetOrStart(new SessionKey("a", "s1"), At(0));

        Assert.True(store.TryEnd(new SessionKey("a", "s1"), out var ended));
        Assert.Same(started, ended);
        Assert.False(store.TryEnd(new SessionKey("a", "s1"), out _));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void EndIdle_EndsOnlySessionsNotSeenSince()
    {
        var store = new InMemorySessionStore(new SessionStoreOptions(), _time);
        store.GetOrStart(new SessionKey("a", "old"), At(0));
        var fresh = store.GetOrStart(new SessionKey("a", "fresh"), At(0));
        fresh.Touch(At(600));

        var ended = store.EndIdle(At(300));

        Assert.Equal("old", Assert.Single(ended).Key.Id);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void AgentEvidence_SessionEnded_EvidenceStaysWithTheAgentForTheWindow()
    {
        var store = new InMemorySessionStore(new SessionStoreOptions { EvidenceWindow = TimeSpan.FromMinutes(30) }, _time);
        var reading = store.GetOrStart(new SessionKey("a", "read"), _time.GetUtcNow());
        reading.Add(Item("data sheet", _time.GetUtcNow()));
        store.TryEnd(reading.Key, out _);
        store.GetOrStart(new SessionKey("a", "submit"), _time.GetUtcNow()).Add(Item("rubric", _time.GetUtcNow()));

        var within = store.AgentEvidence("a", DateTimeOffset.MinValue);
        Assert.Equal(["data sheet", "rubric"], within.Select(e => e.Content));
        Assert.Empty(store.AgentEvidence("b", DateTimeOffset.MinValue));

        _time.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(["rubric"], store.AgentEvidence("a", DateTimeOffset.MinValue).Select(e => e.Content));
    }

    [Fact]
    public void AgentEvidence_MoreThanTheAgentCap_OldestDroppedAndCounted()
    {
        var store = new InMemorySessionStore(new SessionStoreOptions { MaxAgentEvidenceItems = 2 }, _time);
        for (var i = 0; i < 3; i++)
        {
            var session = store.GetOrStart(new SessionKey("a", "s" + i), _time.GetUtcNow());
            session.Add(Item("item " + i, _time.GetUtcNow().AddSeconds(i)));
            store.TryEnd(session.Key, out _);
        }

        Assert.Equal(["item 1", "item 2"], store.AgentEvidence("a", DateTimeOffset.MinValue).Select(e => e.Content));
        Assert.Equal(1, store.AgentEvidenceDropped);
    }

    [Fact]
    public void AgentEvidence_Since_LeavesOutOlderEvidence()
    {
        var store = new InMemorySessionStore(new SessionStoreOptions(), _time);
        var session = store.GetOrStart(new SessionKey("a", "s"), At(0));
        session.Add(Item("early", At(0)));
        session.Add(Item("late", At(60)));

        Assert.Equal(["late"], store.AgentEvidence("a", At(30)).Select(e => e.Content));
    }

    [Fact]
    public void Session_EvidenceOverItsCap_DroppedAndCounted()
    {
        var store = new InMemorySessionStore(new SessionStoreOptions { Limits = new SessionLimits { MaxEvidenceItems = 1 } }, _time);
        var session = store.GetOrStart(new SessionKey("a", "s"), At(0));

        Assert.True(session.Add(Item("one", At(0))));
        Assert.False(session.Add(Item("two", At(1))));
        Assert.Equal(1, session.EvidenceDropped);
    }

    private DateTimeOffset At(int seconds) => new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero).AddSeconds(seconds);

    private static Evidence Item(string content, DateTimeOffset time)
        => new(time, "tools/call", "read_file", null, "{}", content, Truncated: false, IsError: false, "ref");
}
