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

    [Fact]
    public void Budget_ManyShortSessions_HeldEvidenceStaysWithinTheCap()
    {
        var item = Item(new string('x', 4096), At(0));
        var capacity = 100 * EvidenceBudget.SizeOf(item);
        var store = new InMemorySessionStore(new SessionStoreOptions { MaxEvidenceBytes = capacity }, _time);
        var peak = 0L;
        for (var i = 0; i < 2000; i++)
        {
            var session = store.GetOrStart(new SessionKey("a", "s" + (i / 8)), At(i));
            session.Add(item with { Time = At(i) });
            peak = Math.Max(peak, store.Budget.Used);
            if (i % 8 == 7)
            {
                store.TryEnd(session.Key, out _);
            }
        }

        Assert.InRange(peak, 0, capacity + EvidenceBudget.SizeOf(item));
        Assert.Equal(HeldBytes(store, "a"), store.Budget.Used);
        Assert.True(store.EvidenceReclaimed >= 1900 - 100, $"reclaimed {store.EvidenceReclaimed}");
    }

    [Fact]
    public void Budget_Overdrawn_LeastRecentlySeenSessionLosesItsEvidenceFirst()
    {
        var item = Item(new string('x', 1000), At(0));
        var store = new InMemorySessionStore(new SessionStoreOptions { MaxEvidenceBytes = 4 * EvidenceBudget.SizeOf(item) }, _time);
        var idle = store.GetOrStart(new SessionKey("a", "idle"), At(0));
        idle.Add(item);
        idle.Add(item);
        var busy = store.GetOrStart(new SessionKey("b", "busy"), At(10));
        busy.Add(item);
        busy.Add(item);

        busy.Touch(At(20));
        busy.Add(item);

        Assert.Empty(idle.Evidence());
        Assert.Equal(2, idle.EvidenceDropped);
        Assert.Equal(3, busy.Evidence().Length);
        Assert.Equal(2, store.EvidenceReclaimed);
        Assert.Equal(3 * EvidenceBudget.SizeOf(item), store.Budget.Used);
    }

    [Fact]
    public void Budget_Overdrawn_EndedEvidenceOlderThanLiveSessionsGoesFirst()
    {
        var item = Item(new string('x', 1000), At(0));
        var store = new InMemorySessionStore(new SessionStoreOptions { MaxEvidenceBytes = 4 * EvidenceBudget.SizeOf(item) }, _time);
        var ended = store.GetOrStart(new SessionKey("a", "ended"), At(0));
        ended.Add(item with { Content = "old" + item.Content, Time = At(0) });
        ended.Add(item with { Content = "old" + item.Content, Time = At(1) });
        store.TryEnd(ended.Key, out _);
        var live = store.GetOrStart(new SessionKey("a", "live"), At(5));
        live.Add(item with { Time = At(5) });
        live.Add(item with { Time = At(6) });
        live.Add(item with { Time = At(7) });

        Assert.Equal(3, live.Evidence().Length);
        Assert.DoesNotContain(store.AgentEvidence("a", DateTimeOffset.MinValue), e => e.Content.StartsWith("old", StringComparison.Ordinal));
        Assert.Equal(HeldBytes(store, "a"), store.Budget.Used);
    }

    [Fact]
    public void Budget_EvidenceAfterTheSessionEnded_IsNotCharged()
    {
        var store = new InMemorySessionStore(new SessionStoreOptions(), _time);
        var session = store.GetOrStart(new SessionKey("a", "s"), At(0));
        session.Add(Item("read", At(0)));
        store.TryEnd(session.Key, out _);

        session.Add(Item("late answer", At(1)));

        Assert.Equal(EvidenceBudget.SizeOf(Item("read", At(0))), store.Budget.Used);
    }

    [Fact]
    public void Budget_SessionsEndingPruningAndReclaimingAtOnce_CountsExactlyWhatIsHeld()
    {
        var store = new InMemorySessionStore(new SessionStoreOptions { MaxEvidenceBytes = 64 * 1024, MaxAgentEvidenceItems = 20, MaxSessions = 16, EvidenceWindow = TimeSpan.FromSeconds(50) }, _time);
        Parallel.For(0, 4, worker =>
        {
            var random = new Random(worker);
            for (var i = 0; i < 3000; i++)
            {
                var key = new SessionKey("agent" + random.Next(3), "s" + random.Next(40));
                var session = store.GetOrStart(key, _time.GetUtcNow());
                session.Add(Item(new string('y', random.Next(2000)), _time.GetUtcNow()));
                switch (random.Next(10))
                {
                    case 0:
                        store.TryEnd(key, out _);
                        break;
                    case 1:
                        store.EndIdle(_time.GetUtcNow().AddSeconds(-5));
                        break;
                    case 2:
                        lock (_time)
                        {
                            _time.Advance(TimeSpan.FromSeconds(1));
                        }

                        break;
                }
            }
        });

        store.EndIdle(DateTimeOffset.MaxValue);
        var held = Enumerable.Range(0, 3).Sum(agent => HeldBytes(store, "agent" + agent));
        Assert.Equal(held, store.Budget.Used);
        Assert.InRange(store.Budget.Used, 0, 64 * 1024);

        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Empty(store.AgentEvidence("agent0", DateTimeOffset.MinValue));
        Assert.Empty(store.AgentEvidence("agent1", DateTimeOffset.MinValue));
        Assert.Empty(store.AgentEvidence("agent2", DateTimeOffset.MinValue));
        Assert.Equal(0, store.Budget.Used);
    }

    [Fact]
    public void Budget_SessionsStartedWithoutIt_TheirEvidenceIsChargedWhenTheAgentKeepsIt()
    {
        var store = new InMemorySessionStore(new SessionStoreOptions(), _time, (key, now) => new Session(key, now, new SessionLimits()));
        var session = store.GetOrStart(new SessionKey("a", "s"), At(0));
        session.Add(Item("read", At(0)));
        Assert.Equal(0, store.Budget.Used);

        store.TryEnd(session.Key, out _);

        Assert.Equal(HeldBytes(store, "a"), store.Budget.Used);
        Assert.True(store.Budget.Used > 0);
    }

    private static long HeldBytes(InMemorySessionStore store, string agent)
        => store.AgentEvidence(agent, DateTimeOffset.MinValue).Sum(EvidenceBudget.SizeOf);

    private DateTimeOffset At(int seconds) => new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero).AddSeconds(seconds);

    private static Evidence Item(string content, DateTimeOffset time)
        => new(time, "tools/call", "read_file", null, "{}", content, Truncated: false, IsError: false, "ref");
}
