using System.Collections.Concurrent;

namespace AgentGuard.Proxy;

public sealed class AuditReferenceTests
{
    [Fact]
    public void Create_SixteenLowerCaseHexDigits()
    {
        var reference = AuditReference.Create();

        Assert.Matches("^[0-9a-f]{16}$", reference);
    }

    [Fact]
    public async Task Create_ManyThreadsAcrossBlockRefills_NoReferenceRepeats()
    {
        // Each thread draws far more references than one block of random bytes holds.
        var seen = new ConcurrentDictionary<string, bool>();
        var duplicates = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                if (!seen.TryAdd(AuditReference.Create(), true))
                {
                    Interlocked.Increment(ref duplicates);
                }
            }
        })));

        Assert.Equal(0, duplicates);
        Assert.Equal(40_000, seen.Count);
    }

    [Fact]
    public void Create_BytesSpreadOverEveryHexDigit()
    {
        // A block that was never filled (all zero) or reused would show up as missing digits.
        var digits = new HashSet<char>(Enumerable.Range(0, 200).SelectMany(_ => AuditReference.Create()));

        Assert.Equal(16, digits.Count);
    }
}
