using System.Collections;
using System.Diagnostics;

namespace AgentGuard.Telemetry;

/// <summary>
/// What the OpenTelemetry in-memory exporter writes to. Locked, because a tracer provider listens
/// to every guard in the test process, and other tests' guards export into it concurrently.
/// </summary>
internal sealed class ActivityCollection : ICollection<Activity>
{
    private readonly List<Activity> _items = [];

    public int Count
    {
        get
        {
            lock (_items)
            {
                return _items.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    /// <summary>A copy of what was exported so far.</summary>
    public List<Activity> Snapshot()
    {
        lock (_items)
        {
            return [.. _items];
        }
    }

    /// <summary>Waits until an exported activity meets <paramref name="condition"/>; fails naming <paramref name="what"/> after 10 seconds.</summary>
    public async Task<Activity> WaitForAsync(Func<Activity, bool> condition, string what)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (10 * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            foreach (var activity in Snapshot())
            {
                if (condition(activity))
                {
                    return activity;
                }
            }

            Assert.True(TimeProvider.System.GetTimestamp() < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    public void Add(Activity item)
    {
        lock (_items)
        {
            _items.Add(item);
        }
    }

    public void Clear()
    {
        lock (_items)
        {
            _items.Clear();
        }
    }

    public bool Contains(Activity item) => Snapshot().Contains(item);

    public void CopyTo(Activity[] array, int arrayIndex) => Snapshot().CopyTo(array, arrayIndex);

    public bool Remove(Activity item)
    {
        lock (_items)
        {
            return _items.Remove(item);
        }
    }

    public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
