namespace AgentGuard.Sessions;

public class SessionLineageTests
{
    private static LineageEntry Entry(string resource) => new(resource, "host://h/w.safetensors", ["model-weights"], LineageEntry.Copy, "r", DateTimeOffset.UnixEpoch);

    [Fact]
    public void Finds_by_resource_regardless_of_case_and_trailing_slash()
    {
        var lineage = new SessionLineage(4);
        Assert.True(lineage.TryAdd(Entry("host://h/Q3_Notes.bin")));
        Assert.NotNull(lineage.Find("host://h/q3_notes.bin"));
        Assert.NotNull(lineage.Find("host://h/q3_notes.bin/"));
        Assert.Null(lineage.Find("host://h/q3_notes.bin.bak"));
    }

    [Fact]
    public void At_the_cap_it_refuses_new_resources_but_replaces_known_ones()
    {
        var lineage = new SessionLineage(2);
        Assert.True(lineage.TryAdd(Entry("host://h/1")));
        Assert.True(lineage.TryAdd(Entry("host://h/2")));
        Assert.True(lineage.IsFull);
        Assert.False(lineage.TryAdd(Entry("host://h/3")));
        Assert.True(lineage.TryAdd(Entry("host://h/1") with { Reference = "again" }));
        Assert.Equal("again", lineage.Find("host://h/1")!.Reference);
        Assert.Equal(2, lineage.Count);
        Assert.NotNull(lineage.Find("host://h/2"));
    }

    [Fact]
    public void Sessions_get_their_lineage_with_the_configured_cap()
    {
        var store = new InMemorySessionStore(new SessionStoreOptions { Limits = new SessionLimits { MaxLineage = 1 } }, TimeProvider.System);
        var key = new SessionKey("agent", "s1");
        Assert.Null(store.Lineage(key));
        var session = store.GetOrStart(key, DateTimeOffset.UnixEpoch);
        Assert.Same(session.Lineage, store.Lineage(key));
        Assert.True(session.Lineage.TryAdd(Entry("host://h/1")));
        Assert.True(session.Lineage.IsFull);
    }
}
