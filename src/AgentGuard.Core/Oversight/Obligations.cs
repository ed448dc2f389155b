using System.Text.Json;
using AgentGuard.Policy;
using AgentGuard.Sessions;

namespace AgentGuard.Oversight;

/// <summary>
/// Opens obligations from re-scored results and tells when a call meets one. An obligation follows
/// the re-score, not the submission; only a call that was not denied meets it (a denied call never ran).
/// </summary>
public static class Obligations
{
    /// <summary>The obligations a failing re-score of <paramref name="submission"/> opens; none when the re-score passes, cannot be told, or names no subject.</summary>
    public static IReadOnlyList<OpenObligation> Open(
        OversightPolicy policy, Evaluation evaluation, Submission submission, Rescore rescore, double? threshold, SessionKey session, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(submission);
        ArgumentNullException.ThrowIfNull(rescore);
        if (submission.Subject is null || Divergence.Passes(evaluation, rescore.Score, rescore.Grade, threshold) != false)
        {
            return [];
        }

        var opened = new List<OpenObligation>();
        foreach (var obligation in policy.Obligations)
        {
            if (obligation.AppliesTo(evaluation.Name))
            {
                opened.Add(new OpenObligation(
                    session,
                    obligation.Name,
                    evaluation.Name,
                    submission.Evaluator,
                    submission.Subject,
                    obligation.Tool,
                    obligation.Argument?.Text,
                    obligation.Value.Map(submission.Subject),
                    now,
                    submission.Result,
                    Divergence.Result(rescore),
                    submission.Reference));
            }
        }

        return opened;
    }

    /// <summary>Whether <paramref name="call"/> meets <paramref name="obligation"/>: the tool, not denied, and the argument naming the subject.</summary>
    public static bool IsMetBy(OpenObligation obligation, SessionCall call)
    {
        ArgumentNullException.ThrowIfNull(obligation);
        ArgumentNullException.ThrowIfNull(call);
        if (call.Decision == DecisionKind.Deny || !string.Equals(call.Tool, obligation.Tool, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (obligation.Argument is null)
        {
            return true;
        }

        var path = JsonPath.Parse(obligation.Argument, out _);
        var value = path?.Select(call.Arguments);
        return value is not null && string.Equals(value.Trim(), obligation.Value, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The call in <paramref name="calls"/> that meets <paramref name="obligation"/>, or <see langword="null"/>.</summary>
    public static SessionCall? MetBy(OpenObligation obligation, IReadOnlyList<SessionCall> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        foreach (var call in calls)
        {
            if (IsMetBy(obligation, call))
            {
                return call;
            }
        }

        return null;
    }

    /// <summary>The <c>mandated-action-missing</c> finding for an obligation never met.</summary>
    public static OversightFinding Missing(OpenObligation obligation, DateTimeOffset now, bool? observed, bool peerContext, string why)
    {
        ArgumentNullException.ThrowIfNull(obligation);
        return new OversightFinding(
            now,
            obligation.Session,
            OversightFindings.MandatedActionMissing,
            $"obligation '{obligation.Obligation}': evaluation '{obligation.Evaluation}' re-scored {obligation.Subject} at {obligation.Rescored} (submitted {obligation.Submitted ?? "nothing"}), "
                + $"so {obligation.Tool}({(obligation.Argument is null ? string.Empty : obligation.Argument + "=")}{obligation.Value}) was mandated; {why}",
            Evaluation: obligation.Evaluation,
            Evaluator: obligation.Evaluator,
            Subject: obligation.Subject,
            Submitted: obligation.Submitted,
            Rescored: obligation.Rescored,
            Observed: observed,
            PeerContext: peerContext,
            References: [obligation.Reference]);
    }

    /// <summary>An open obligation as one JSON line, for the audit log.</summary>
    public static string Serialize(OpenObligation obligation) => JsonSerializer.Serialize(obligation);

    /// <summary>An open obligation read back from <see cref="Serialize"/>'s text; <see langword="null"/> when the text is not one.</summary>
    public static OpenObligation? Deserialize(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<OpenObligation>(json);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }
}
