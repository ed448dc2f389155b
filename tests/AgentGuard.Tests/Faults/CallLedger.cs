using System.Text.Json;
using AgentGuard.Audit;
using AgentGuard.Demo;

namespace AgentGuard.Faults;

/// <summary>
/// What the tool server ran, set against what the audit log says was allowed and what the agents
/// were told: the log's promise is that nothing runs unrecorded and nothing denied is recorded as allowed.
/// </summary>
internal static class CallLedger
{
    /// <summary>The file names of the <c>read_file</c> calls that reached the tool server.</summary>
    public static HashSet<string> Ran(StudyToolServer tools)
        => [.. tools.World.ReceivedCalls.Where(c => c.Tool == "read_file").Select(c => FileName(c.ArgumentsJson))];

    /// <summary>The file names of the <c>read_file</c> calls with an allow record in the logs in <paramref name="directories"/>.</summary>
    public static HashSet<string> Allowed(params string[] directories)
    {
        var allowed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var directory in directories)
        {
            foreach (var entry in AuditReader.ReadAll(directory))
            {
                if (entry is { Type: "decision", Decision: "allow", Tool: "read_file" })
                {
                    using var document = JsonDocument.Parse(entry.Json);
                    allowed.Add(document.RootElement.GetProperty("arguments").GetProperty("filename").GetString()!);
                }
            }
        }

        return allowed;
    }

    /// <summary>
    /// Nothing ran without an allow record; no allow record for a call that did not run, except
    /// calls that had no answer (in flight at a kill); every call answered as allowed ran; no call
    /// answered as denied ran or is recorded as allowed.
    /// </summary>
    public static void AssertAccountedFor(StudyToolServer tools, IReadOnlyList<CallOutcome> outcomes, params string[] directories)
    {
        var ran = Ran(tools);
        var allowed = Allowed(directories);
        var unanswered = outcomes.Where(o => o.Result == CallResult.Failed).Select(o => o.FileName).ToHashSet();

        var unrecorded = ran.Except(allowed).Order().ToList();
        Assert.True(unrecorded.Count == 0, $"{unrecorded.Count} calls ran with no allow record: {string.Join(", ", unrecorded.Take(10))}");

        var phantom = allowed.Except(ran).Except(unanswered).Order().ToList();
        Assert.True(phantom.Count == 0, $"{phantom.Count} allow records for calls that never ran and were answered: {string.Join(", ", phantom.Take(10))}");

        var lost = outcomes.Where(o => o.Result == CallResult.Allowed && !ran.Contains(o.FileName)).Select(o => o.FileName).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} calls answered as allowed never ran: {string.Join(", ", lost.Take(10))}");

        var leaked = outcomes.Where(o => o.Result == CallResult.Denied && (ran.Contains(o.FileName) || allowed.Contains(o.FileName))).Select(o => o.FileName).ToList();
        Assert.True(leaked.Count == 0, $"{leaked.Count} calls answered as denied ran or are recorded as allowed: {string.Join(", ", leaked.Take(10))}");
    }

    private static string FileName(string argumentsJson)
    {
        using var document = JsonDocument.Parse(argumentsJson);
        return document.RootElement.GetProperty("filename").GetString()!;
    }
}
