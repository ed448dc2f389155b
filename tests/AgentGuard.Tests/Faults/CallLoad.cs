using System.Globalization;
using AgentGuard.Infrastructure;

namespace AgentGuard.Faults;

/// <summary>
/// Concurrent agents calling one harmless tool (<c>read_file</c>) through the guard, each call with
/// its own file name so that the tool server's record, the audit log and the agent's answer can be
/// matched call by call.
/// </summary>
internal sealed class CallLoad : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Uri _endpoint;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<CallOutcome> _outcomes = [];
    private readonly Task[] _workers;
    private int _next;

    private CallLoad(Uri guard, int workers)
    {
        _endpoint = new Uri(guard, "/mcp");
        _workers = new Task[workers];
        for (var i = 0; i < workers; i++)
        {
            _workers[i] = Task.Run(WorkAsync);
        }
    }

    /// <summary>Every call that has an answer (or failed), in the order they ended.</summary>
    public List<CallOutcome> Outcomes
    {
        get
        {
            lock (_outcomes)
            {
                return [.. _outcomes];
            }
        }
    }

    public static CallLoad Start(Uri guard, int workers = 8) => new(guard, workers);

    /// <summary>The file name that identifies call <paramref name="id"/>.</summary>
    public static string FileName(int id) => "fault-" + id.ToString("D6", CultureInfo.InvariantCulture) + ".txt";

    /// <summary>Waits until <paramref name="count"/> more calls than now have ended as <paramref name="kind"/>.</summary>
    public Task MoreAsync(CallResult kind, int count, string what)
    {
        var target = Count(kind) + count;
        return Poll.UntilAsync(() => Count(kind) >= target, $"{count} more {kind} calls ({what})");
    }

    public int Count(CallResult kind)
    {
        lock (_outcomes)
        {
            return _outcomes.Count(o => o.Result == kind);
        }
    }

    /// <summary>Stops sending and waits for the calls under way to end.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task WorkAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var id = Interlocked.Increment(ref _next);
            var body = "{\"jsonrpc\":\"2.0\",\"id\":" + id.ToString(CultureInfo.InvariantCulture)
                + ",\"method\":\"tools/call\",\"params\":{\"name\":\"read_file\",\"arguments\":{\"filename\":\"" + FileName(id) + "\"}}}";
            CallOutcome outcome;
            try
            {
                using var response = await Mcp.PostAsync(_http, _endpoint, body);
                var text = await response.Content.ReadAsStringAsync();
                outcome = new CallOutcome(FileName(id), text.Contains("permission denied", StringComparison.Ordinal) ? CallResult.Denied
                    : response.IsSuccessStatusCode && text.Contains("\"result\"", StringComparison.Ordinal) ? CallResult.Allowed
                    : CallResult.Failed, text);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                // The guard was killed under this call: it was in flight.
                outcome = new CallOutcome(FileName(id), CallResult.Failed, ex.Message);
            }

            lock (_outcomes)
            {
                _outcomes.Add(outcome);
            }

            if (outcome.Result == CallResult.Failed)
            {
                // Do not spin against a guard that is gone.
                await Task.Delay(20);
            }
        }
    }
}

/// <summary>How a call ended for the agent.</summary>
internal enum CallResult
{
    /// <summary>The tool's answer came back.</summary>
    Allowed,

    /// <summary>The guard answered "permission denied".</summary>
    Denied,

    /// <summary>No answer (the guard died under it), or one that is neither.</summary>
    Failed,
}

/// <summary>One call, named by its file name, and how it ended.</summary>
internal sealed record CallOutcome(string FileName, CallResult Result, string Detail);
