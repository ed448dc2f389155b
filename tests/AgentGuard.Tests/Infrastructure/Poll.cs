namespace AgentGuard.Infrastructure;

/// <summary>Waits for a condition against a deadline, naming it when the deadline passes.</summary>
internal static class Poll
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    public static Task UntilAsync(Func<bool> condition, string what) => UntilAsync(() => Task.FromResult(condition()), what);

    public static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!await condition())
        {
            Assert.True(TimeProvider.System.GetElapsedTime(started) < Deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}
