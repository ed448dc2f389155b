using System.Text.Json;
using System.Text.Json.Serialization;
using AgentGuard.Audit;
using AgentGuard.Holds;

namespace AgentGuard.Admin;

/// <summary>
/// <c>GET /api/approvals</c>: the held calls waiting for reviewers (a reviewer's token or the admin
/// API's own authentication). <c>POST /api/approvals/{id}</c> with
/// <c>{"decision": "approve"|"deny", "call_hash": "...", "reason": "..."}</c>: a named reviewer's
/// vote (always a reviewer's token, loopback included), bound to the call's hash so it releases that
/// call and no other. 200 with the result, 400 for a malformed body, 404 when the call is not
/// pending (never held, already decided: an approval cannot be replayed), 409 when the hash does not
/// match or the reviewer already approved, 503 when the hold queue cannot be reached.
/// </summary>
internal static class ApprovalEndpoints
{
    /// <summary>The largest vote body read.</summary>
    private const int MaxBodyBytes = 16 * 1024;

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/approvals", List).AddEndpointFilter<ReviewerOrAdminAuthorization>();
        endpoints.MapPost("/api/approvals/{id}", VoteAsync).AddEndpointFilter<ReviewerAuthorization>();
    }

    public static IResult List(Approvals approvals)
    {
        var pending = approvals.Pending();
        var body = new PendingBody[pending.Count];
        for (var i = 0; i < body.Length; i++)
        {
            var call = pending[i].Call;
            body[i] = new PendingBody(
                call.Id, call.CallHash, call.Agent, call.Role, call.Session, call.Tool, call.Arguments, call.Rule, call.Finding, call.Message,
                call.ReviewersRequired, pending[i].ApprovedBy, call.HeldAt, call.Deadline, call.Replica);
        }

        return Results.Json(new ListBody(body));
    }

    public static async Task<IResult> VoteAsync(string id, HttpContext context, Approvals approvals)
    {
        var reviewer = ReviewerAuthorization.Reviewer(context);
        // Read whole but bounded, with or without a Content-Length.
        var body = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            if (body.Length + read > MaxBodyBytes)
            {
                return AdminResults.Error(StatusCodes.Status400BadRequest, $"the body is over {MaxBodyBytes} bytes; send {{\"decision\": \"approve\", \"call_hash\": \"...\", \"reason\": \"...\"}}");
            }

            body.Write(buffer, 0, read);
        }

        VoteBody? vote;
        try
        {
            vote = JsonSerializer.Deserialize<VoteBody>(body.GetBuffer().AsSpan(0, (int)body.Length));
        }
        catch (JsonException ex)
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest, $"the body is not the vote's JSON ({ex.Message}); send {{\"decision\": \"approve\"|\"deny\", \"call_hash\": \"...\", \"reason\": \"...\"}}");
        }

        if (vote is null || vote.Decision is not ("approve" or "deny"))
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest, $"decision is '{vote?.Decision}'; use \"approve\" or \"deny\"");
        }

        if (string.IsNullOrWhiteSpace(vote.CallHash))
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest, "call_hash is missing; give the call_hash GET /api/approvals shows for the call you reviewed");
        }

        if (vote.Reason is { Length: > 1000 })
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest, "reason is over 1000 characters; keep the note short");
        }

        VoteResult result;
        try
        {
            result = await approvals.VoteAsync(reviewer, id, vote.CallHash.Trim(), vote.Decision == "approve", vote.Reason, context.RequestAborted);
        }
        catch (AuditWriteException ex)
        {
            return AdminResults.Error(StatusCodes.Status503ServiceUnavailable, $"the vote was counted but its audit record could not be written: {ex.Message}");
        }

        return result switch
        {
            VoteResult.Counted or VoteResult.Approved or VoteResult.Denied => Results.Json(new VoteResultBody(id, Name(result), reviewer)),
            VoteResult.NotPending => AdminResults.Error(StatusCodes.Status404NotFound, $"held call '{id}' is not pending: it was never held, or it was already decided (an approval cannot be used twice)"),
            VoteResult.HashMismatch => AdminResults.Error(StatusCodes.Status409Conflict, $"call_hash does not match held call '{id}': you reviewed another call"),
            VoteResult.SameReviewer => AdminResults.Error(StatusCodes.Status409Conflict, $"{reviewer} already approved held call '{id}'; its second approval must come from another reviewer"),
            _ => AdminResults.Error(StatusCodes.Status503ServiceUnavailable, "the hold queue cannot be reached; try again"),
        };
    }

    /// <summary><c>counted</c> (an approval that waits for another reviewer), <c>approved</c>, <c>denied</c>.</summary>
    private static string Name(VoteResult result) => result switch
    {
        VoteResult.Counted => "counted",
        VoteResult.Approved => "approved",
        _ => "denied",
    };

    private sealed record ListBody([property: JsonPropertyName("approvals")] PendingBody[] Approvals);

    private sealed record PendingBody(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("call_hash")] string CallHash,
        [property: JsonPropertyName("agent")] string Agent,
        [property: JsonPropertyName("role")] string Role,
        [property: JsonPropertyName("session")] string Session,
        [property: JsonPropertyName("tool")] string Tool,
        [property: JsonPropertyName("arguments")] string Arguments,
        [property: JsonPropertyName("rule")] string Rule,
        [property: JsonPropertyName("finding")] string? Finding,
        [property: JsonPropertyName("message")] string? Message,
        [property: JsonPropertyName("reviewers_required")] int ReviewersRequired,
        [property: JsonPropertyName("approved_by")] IReadOnlyList<string> ApprovedBy,
        [property: JsonPropertyName("held_at")] DateTimeOffset HeldAt,
        [property: JsonPropertyName("deadline")] DateTimeOffset Deadline,
        [property: JsonPropertyName("replica")] string Replica);

    private sealed record VoteBody(
        [property: JsonPropertyName("decision")] string? Decision,
        [property: JsonPropertyName("call_hash")] string? CallHash,
        [property: JsonPropertyName("reason")] string? Reason);

    private sealed record VoteResultBody(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("result")] string Result,
        [property: JsonPropertyName("reviewer")] string Reviewer);
}
