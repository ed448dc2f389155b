using System.Text.Json;
using AgentGuard.Audit;

namespace AgentGuard.Admin;

/// <summary>
/// Writes <c>{"records": [...], "offset": n, "limit": n, "next": n|null}</c>, each record the
/// exact JSON line the log holds (not re-serialised, so its hash still checks out).
/// </summary>
internal sealed class AuditPageResult(List<AuditEntry> entries, int offset, int limit, int? next) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(response.Body);
        writer.WriteStartObject();
        writer.WriteStartArray("records");
        foreach (var entry in entries)
        {
            writer.WriteRawValue(entry.Json);
            if (writer.BytesPending > 32 * 1024)
            {
                await writer.FlushAsync(httpContext.RequestAborted);
            }
        }

        writer.WriteEndArray();
        writer.WriteNumber("offset", offset);
        writer.WriteNumber("limit", limit);
        if (next is { } value)
        {
            writer.WriteNumber("next", value);
        }
        else
        {
            writer.WriteNull("next");
        }

        writer.WriteEndObject();
        await writer.FlushAsync(httpContext.RequestAborted);
    }
}
