namespace AgentGuard.Policy;

public class AssetMaskCacheTests
{
    [Fact]
    public void TryGet_AfterAdd_ReturnsMask()
    {
        var cache = new AssetMaskCache();

        cache.Add("host://h/w.safetensors", 0b101);

        Assert.True(cache.TryGet("host://h/w.safetensors", out var mask));
        Assert.Equal(0b101UL, mask);
    }

    [Fact]
    public void TryGet_OtherCase_Misses()
    {
        // Assets choose case-insensitivity themselves; the cache must not choose it for them.
        var cache = new AssetMaskCache();

        cache.Add("host://h/W.safetensors", 1);

        Assert.False(cache.TryGet("host://h/w.safetensors", out _));
    }

    [Fact]
    public void Add_PastMaxEntries_KeepsMaxEntries()
    {
        var cache = new AssetMaskCache();

        for (var i = 0; i < AssetMaskCache.MaxEntries * 2; i++)
        {
            cache.Add($"host://h/{i}", 1);
        }

        Assert.Equal(AssetMaskCache.MaxEntries, cache.Count);
        Assert.False(cache.TryGet($"host://h/{AssetMaskCache.MaxEntries}", out _));
    }

    [Fact]
    public void Add_ConcurrentlyPastMaxEntries_KeepsAtMostMaxEntries()
    {
        var cache = new AssetMaskCache();

        Parallel.For(0, AssetMaskCache.MaxEntries * 4, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => cache.Add($"host://h/{i}", 1));

        Assert.Equal(AssetMaskCache.MaxEntries, cache.Count);
    }

    [Fact]
    public void Add_LongerThanMaxResourceLength_IsNotKept()
    {
        var cache = new AssetMaskCache();
        var atMax = "host://h/" + new string('a', AssetMaskCache.MaxResourceLength - 9);
        var pastMax = atMax + "a";

        cache.Add(atMax, 1);
        cache.Add(pastMax, 1);

        Assert.True(cache.TryGet(atMax, out _));
        Assert.False(cache.TryGet(pastMax, out _));
    }
}
