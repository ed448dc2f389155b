using System.Buffers;
using System.Text.Json;
using Yarp.ReverseProxy.Transforms;

namespace AgentGuard.Proxy;

/// <summary>
/// The response path of a batch whose denied members were answered by the guard: adds those
/// answers to the tool server's, as extra elements of a JSON array or extra events of an SSE
/// stream (which then streams through as it is produced).
/// </summary>
internal static class PendingRepliesTransform
{
    public static async ValueTask ApplyAsync(ResponseTransformContext context)
    {
        var pending = context.HttpContext.Features.Get<PendingReplies>();
        if (pending is null || context.ProxyResponse is null)
        {
            return;
        }

        var response = context.HttpContext.Response;
        var upstream = context.ProxyResponse;
        var mediaType = upstream.Content.Headers.ContentType?.MediaType;
        var cancellationToken = context.CancellationToken;
        context.SuppressResponseBody = true;
        response.Headers.ContentLength = null;

        if (string.Equals(mediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var reply in pending.Replies)
            {
                await response.Body.WriteAsync("event: message\ndata: "u8.ToArray(), cancellationToken);
                await response.Body.WriteAsync(reply, cancellationToken);
                await response.Body.WriteAsync("\n\n"u8.ToArray(), cancellationToken);
            }

            await response.Body.FlushAsync(cancellationToken);
            await using var stream = await upstream.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                int read;
                while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    await response.Body.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    await response.Body.FlushAsync(cancellationToken);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            return;
        }

        // JSON (or nothing, when only notifications were forwarded): answer with one array.
        var body = await upstream.Content.ReadAsByteArrayAsync(cancellationToken);
        var merged = new ArrayBufferWriter<byte>(body.Length + 512);
        using (var writer = new Utf8JsonWriter(merged))
        {
            writer.WriteStartArray();
            if (body.Length > 0 && TryParse(body) is { } document)
            {
                using (document)
                {
                    if (document.RootElement.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var item in document.RootElement.EnumerateArray())
                        {
                            item.WriteTo(writer);
                        }
                    }
                    else
                    {
                        document.RootElement.WriteTo(writer);
                    }
                }
            }

            foreach (var reply in pending.Replies)
            {
                writer.WriteRawValue(reply, skipInputValidation: true);
            }

            writer.WriteEndArray();
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.Headers.Remove("Content-Encoding");
        response.ContentLength = merged.WrittenCount;
        await response.Body.WriteAsync(merged.WrittenMemory, cancellationToken);
    }

    private static JsonDocument? TryParse(byte[] body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
