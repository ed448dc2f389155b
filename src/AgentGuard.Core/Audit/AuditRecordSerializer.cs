using System.Buffers;
using System.Globalization;
using System.Text.Json;
using AgentGuard.Content;
using AgentGuard.Effects;
using AgentGuard.Oversight;
using AgentGuard.Policy;
using AgentGuard.Sessions;

namespace AgentGuard.Audit;

/// <summary>Writes one record as one JSON line. Field order is fixed; <c>prev</c> comes last.</summary>
internal static class AuditRecordSerializer
{
    private static readonly JsonWriterOptions Options = new() { Indented = false, SkipValidation = false };

    public static void Write(ArrayBufferWriter<byte> buffer, long sequence, string previousHash, in AuditAppend entry, AuditRedactor redactor, AuditSigner? signer)
    {
        using var writer = new Utf8JsonWriter(buffer, Options);
        writer.WriteStartObject();
        writer.WriteNumber("seq"u8, sequence);
        writer.WriteString("time"u8, entry.Time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        switch (entry.Kind)
        {
            case AuditRecordKind.Decision:
                WriteDecision(writer, entry.Decision!, redactor);
                break;
            case AuditRecordKind.Upstream:
                writer.WriteString("type"u8, "upstream"u8);
                writer.WriteString("ref"u8, entry.Reference);
                writer.WriteNumber("status"u8, entry.Status);
                writer.WriteNumber("latency_ms"u8, Math.Round(entry.LatencyMilliseconds, 3));
                break;
            case AuditRecordKind.Checkpoint:
                writer.WriteString("type"u8, "checkpoint"u8);
                writer.WriteString("key"u8, signer!.KeyId);
                writer.WriteString("signature"u8, signer.Sign(sequence, previousHash));
                break;
            case AuditRecordKind.Resume:
                var resumption = entry.Resumption!;
                writer.WriteString("type"u8, "resume"u8);
                writer.WriteString("reason"u8, resumption.Reason);
                writer.WriteNumber("chains_to"u8, resumption.ChainsTo);
                WriteOptional(writer, "lost_from"u8, resumption.LostFrom);
                WriteOptional(writer, "lost_to"u8, resumption.LostTo);
                break;
            case AuditRecordKind.Oversight:
                WriteOversight(writer, entry.Reference!, entry.Oversight!);
                break;
            case AuditRecordKind.Obligation:
                WriteObligation(writer, entry.Obligation!);
                break;
            case AuditRecordKind.Lineage:
                var lineage = entry.Lineage!;
                writer.WriteString("type"u8, "lineage"u8);
                writer.WriteString("ref"u8, lineage.Entry.Reference);
                writer.WriteString("agent"u8, lineage.Session.Agent);
                writer.WriteString("session"u8, lineage.Session.Id);
                WriteLineage(writer, "carries"u8, [lineage.Entry]);
                break;
            case AuditRecordKind.Hold:
                WriteHold(writer, entry.Hold!);
                break;
        }

        writer.WriteString("prev"u8, previousHash);
        writer.WriteEndObject();
    }

    private static void WriteHold(Utf8JsonWriter writer, HoldRecord hold)
    {
        var call = hold.Call;
        writer.WriteString("type"u8, "hold"u8);
        writer.WriteString("ref"u8, call.Id);
        writer.WriteString("event"u8, hold.Event);
        WriteOptional(writer, "verdict"u8, hold.Verdict);
        writer.WriteString("agent"u8, call.Agent);
        writer.WriteString("role"u8, call.Role);
        writer.WriteString("session"u8, call.Session);
        writer.WriteString("tool"u8, call.Tool);
        writer.WriteString("rule"u8, call.Rule);
        WriteOptional(writer, "finding"u8, call.Finding);
        writer.WriteString("call_hash"u8, call.CallHash);
        writer.WriteNumber("reviewers_required"u8, call.ReviewersRequired);
        writer.WriteStartArray("reviewers"u8);
        foreach (var reviewer in hold.Reviewers)
        {
            writer.WriteStringValue(reviewer);
        }

        writer.WriteEndArray();
        WriteOptional(writer, "reason"u8, hold.Reason);
        writer.WriteString("deadline"u8, call.Deadline.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        writer.WriteString("replica"u8, call.Replica);
    }

    private static void WriteDecision(Utf8JsonWriter writer, DecisionRecord record, AuditRedactor redactor)
    {
        var call = record.Call;
        var decision = record.Decision;
        writer.WriteString("type"u8, "decision"u8);
        writer.WriteString("ref"u8, record.Reference);
        writer.WriteString("agent"u8, call.Agent.Id);
        writer.WriteString("role"u8, call.Agent.Role);
        WriteOptional(writer, "session"u8, call.Session);
        writer.WriteString("protocol"u8, call.Protocol);
        writer.WriteString("method"u8, call.Method);
        WriteOptional(writer, "tool"u8, call.Tool);
        WriteOptional(writer, "uri"u8, call.ResourceUri);
        writer.WritePropertyName("arguments"u8);
        redactor.Write(writer, call.Arguments);
        writer.WriteStartArray("effects"u8);
        foreach (var effect in decision.Effects)
        {
            writer.WriteStartObject();
            writer.WriteString("kind"u8, EffectKinds.Name(effect.Kind));
            // A shell command's effects carry its text (opaque code) and URLs, credentials included.
            writer.WriteString("resource"u8, InlineSecrets.Redact(effect.Resource));
            WriteOptional(writer, "destination"u8, effect.Destination is null ? null : InlineSecrets.Redact(effect.Destination));
            if (effect.Value is not null)
            {
                writer.WriteString("value"u8, InlineSecrets.Redact(effect.Value));
            }

            // Why a neutral name was decided as weights: its content was recognised as this format.
            if (effect.Format is { } format)
            {
                writer.WriteString("format"u8, ModelFormats.Name(format));
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        WriteLineage(writer, "lineage"u8, decision.Lineage);
        WriteLineage(writer, "carries"u8, decision.Carried);
        writer.WriteString("decision"u8, decision.WouldDeny ? "would-deny" : PolicyTestRunner.Name(decision.Kind));
        writer.WriteString("rule"u8, decision.RuleId);
        WriteOptional(writer, "finding"u8, decision.Finding?.Category);
        WriteOptional(writer, "severity"u8, decision.Finding?.Severity.ToString().ToLowerInvariant());
        WriteOptional(writer, "message"u8, decision.Message);
        writer.WriteString("policy"u8, record.PolicyVersion);
    }

    /// <summary>Why a resource is in an asset it is not named for (<c>lineage</c>), or which resources a call made part of one (<c>carries</c>).</summary>
    private static void WriteLineage(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyList<LineageEntry>? entries)
    {
        if (entries is null || entries.Count == 0)
        {
            return;
        }

        writer.WriteStartArray(name);
        foreach (var entry in entries)
        {
            writer.WriteStartObject();
            writer.WriteString("resource"u8, InlineSecrets.Redact(entry.Resource));
            writer.WriteString("origin"u8, InlineSecrets.Redact(entry.Origin));
            writer.WriteString("how"u8, entry.How);
            writer.WriteStartArray("assets"u8);
            foreach (var asset in entry.Assets)
            {
                writer.WriteStringValue(asset);
            }

            writer.WriteEndArray();
            if (entry.Reference.Length > 0)
            {
                writer.WriteString("ref"u8, entry.Reference);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteOversight(Utf8JsonWriter writer, string reference, OversightFinding finding)
    {
        writer.WriteString("type"u8, "oversight"u8);
        writer.WriteString("ref"u8, reference);
        writer.WriteString("agent"u8, finding.Session.Agent);
        writer.WriteString("session"u8, finding.Session.Id);
        writer.WriteString("finding"u8, finding.Finding.Category);
        writer.WriteString("severity"u8, finding.Finding.Severity.ToString().ToLowerInvariant());

        // Scores, subjects and items come from what the agent wrote: redacted like arguments.
        writer.WriteString("message"u8, InlineSecrets.Redact(finding.Message));
        WriteOptional(writer, "evaluation"u8, finding.Evaluation);
        WriteOptional(writer, "evaluator"u8, finding.Evaluator);
        WriteOptional(writer, "subject"u8, Redacted(finding.Subject));
        WriteOptional(writer, "submitted"u8, Redacted(finding.Submitted));
        WriteOptional(writer, "rescored"u8, finding.Rescored);
        writer.WriteStartArray("differing_items"u8);
        foreach (var item in finding.DifferingItems ?? [])
        {
            writer.WriteStringValue(InlineSecrets.Redact(item));
        }

        writer.WriteEndArray();
        WriteOptional(writer, "items_scored"u8, finding.ItemsScored);
        WriteOptional(writer, "items_in_evidence"u8, finding.ItemsInEvidence);
        if (finding.Observed is { } observed)
        {
            writer.WriteBoolean("observed"u8, observed);
        }
        else
        {
            writer.WriteNull("observed"u8);
        }

        writer.WriteBoolean("peer_context"u8, finding.PeerContext);
        writer.WriteStartArray("refs"u8);
        foreach (var item in finding.References ?? [])
        {
            writer.WriteStringValue(item);
        }

        writer.WriteEndArray();
    }

    private static void WriteObligation(Utf8JsonWriter writer, ObligationChange change)
    {
        var obligation = change.Obligation;
        writer.WriteString("type"u8, "obligation"u8);
        writer.WriteString("state"u8, change.Opened ? "opened"u8 : "closed"u8);
        writer.WriteString("ref"u8, obligation.Reference);
        writer.WriteString("agent"u8, obligation.Session.Agent);
        writer.WriteString("session"u8, obligation.Session.Id);
        writer.WriteString("obligation"u8, obligation.Obligation);
        writer.WriteString("evaluation"u8, obligation.Evaluation);
        writer.WriteString("evaluator"u8, obligation.Evaluator);
        writer.WriteString("subject"u8, InlineSecrets.Redact(obligation.Subject));
        writer.WriteString("tool"u8, obligation.Tool);
        WriteOptional(writer, "argument"u8, obligation.Argument);
        writer.WriteString("value"u8, InlineSecrets.Redact(obligation.Value));
        writer.WriteString("opened"u8, obligation.Opened.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        WriteOptional(writer, "submitted"u8, Redacted(obligation.Submitted));
        WriteOptional(writer, "rescored"u8, obligation.Rescored);
    }

    private static string? Redacted(string? value) => value is null ? null : InlineSecrets.Redact(value);

    private static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, long? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteNumber(name, value.Value);
        }
    }
}
