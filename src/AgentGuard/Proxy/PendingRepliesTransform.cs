using System.Buffers;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;

namespace AgentGuard.Proxy;

/// <summary>
/// The response path of a batch whose denied members were answered by the guard: adds those
/// answers to the tool server's, as extra elements of a JSON array or extra events of an SSE
/// stream, so the agent gets one answer per request id however the tool server answered.
/// </summary>
/// <remarks>
/// The guard must read what it merges into, so it undoes the tool server's Content-Encoding
/// (gzip, deflate, br) and answers uncompressed, without Content-Encoding. A JSON answer is held
/// in memory up to <see cref="PendingReplies.MaxBodyBytes"/> and merged; past that it streams
/// with the denials first (a batch's answers may come in any order). An SSE answer streams: the
/// denial events first, then the tool server's events as they come. What cannot be delivered
/// (an error status, an unreadable or cut-off answer) becomes a JSON-RPC error for each
/// forwarded request beside the denials, with the tool server's status kept (502 when it said
/// 2xx), so that nothing the guard decided is lost and an error stays an error.
/// </remarks>
internal static partial class PendingRepliesTransform
{
    private const int CopyBufferBytes = 16 * 1024;

    public static async ValueTask ApplyAsync(ResponseTransformContext context)
    {
        var pending = context.HttpContext.Features.Get<PendingReplies>();
        if (pending is null)
        {
            return;
        }

        var response = context.HttpContext.Response;
        var cancellationToken = context.CancellationToken;
        var upstream = context.ProxyResponse;
        if (upstream is null)
        {
            // No answer at all (refused, reset, timed out): YARP has set 502 or 504; the denials still go out with it.
            if (!response.HasStarted)
            {
                var failed = response.StatusCode >= 400 ? response.StatusCode : StatusCodes.Status502BadGateway;
                Log.UpstreamUnreadable(Logger(context), failed, "no answer");
                await WriteFailureAsync(response, pending, failed, failed, "the tool server did not answer", cancellationToken);
            }

            return;
        }

        var status = (int)upstream.StatusCode;
        var succeeded = status is >= 200 and < 300;
        context.SuppressResponseBody = true;

        // Whatever is written below is the guard's own, uncompressed bytes.
        response.Headers.ContentLength = null;
        response.Headers.Remove(HeaderNames.ContentEncoding);

        var encoding = upstream.Content.Headers.ContentEncoding;
        if (encoding.Count > 1 || (encoding.Count == 1 && Coding(encoding.First()) is null))
        {
            Log.UpstreamUnreadable(Logger(context), status, "a Content-Encoding the guard cannot decode");
            await WriteFailureAsync(response, pending, succeeded ? StatusCodes.Status502BadGateway : status, status, "the tool server's answer could not be read", cancellationToken);
            return;
        }

        await using var body = Decode(await upstream.Content.ReadAsStreamAsync(cancellationToken), encoding.Count == 0 ? null : Coding(encoding.First()));
        if (succeeded && string.Equals(upstream.Content.Headers.ContentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            await StreamEventsAsync(context, body, pending, cancellationToken);
            return;
        }

        var (buffer, length, outcome) = await ReadAsync(body, pending.MaxBodyBytes, cancellationToken);
        try
        {
            switch (outcome)
            {
                case ReadOutcome.Complete when length == 0:
                    // Nothing to merge: a 202 to forwarded notifications, or an error without a body.
                    if (succeeded)
                    {
                        await WriteMergedAsync(response, pending, default, StatusCodes.Status200OK, cancellationToken);
                    }
                    else
                    {
                        await WriteFailureAsync(response, pending, status, status, FailureMessage(status), cancellationToken);
                    }

                    break;

                case ReadOutcome.Complete:
                    if (TryParse(buffer.AsMemory(0, length)) is { } document)
                    {
                        using (document)
                        {
                            await WriteMergedAsync(response, pending, document.RootElement, status, cancellationToken);
                        }
                    }
                    else
                    {
                        if (succeeded)
                        {
                            Log.UpstreamUnreadable(Logger(context), status, "a body that is not JSON");
                        }

                        await WriteFailureAsync(response, pending, succeeded ? StatusCodes.Status502BadGateway : status, status, succeeded ? "the tool server's answer could not be read" : FailureMessage(status), cancellationToken);
                    }

                    break;

                case ReadOutcome.TooLarge when succeeded:
                    await SpliceAsync(context, buffer.AsMemory(0, length), body, pending, status, cancellationToken);
                    break;

                case ReadOutcome.TooLarge:
                    await WriteFailureAsync(response, pending, status, status, FailureMessage(status), cancellationToken);
                    break;

                case ReadOutcome.Undecodable:
                    Log.UpstreamUnreadable(Logger(context), status, "compressed bytes that do not decode");
                    await WriteFailureAsync(response, pending, succeeded ? StatusCodes.Status502BadGateway : status, status, "the tool server's answer could not be read", cancellationToken);
                    break;

                default:
                    Log.UpstreamCutOff(Logger(context), status, length);
                    await WriteFailureAsync(response, pending, succeeded ? StatusCodes.Status502BadGateway : status, status, "the tool server's answer was cut off", cancellationToken);
                    break;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The tool server's JSON (an array, one message, or nothing) with the denials added, as one array.</summary>
    private static async Task WriteMergedAsync(HttpResponse response, PendingReplies pending, JsonElement upstream, int status, CancellationToken cancellationToken)
    {
        var merged = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(merged))
        {
            writer.WriteStartArray();
            if (upstream.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in upstream.EnumerateArray())
                {
                    item.WriteTo(writer);
                }
            }
            else if (upstream.ValueKind != JsonValueKind.Undefined)
            {
                upstream.WriteTo(writer);
            }

            WriteReplies(writer, pending);
            writer.WriteEndArray();
        }

        await WriteJsonAsync(response, status, merged, cancellationToken);
    }

    /// <summary>
    /// The answer when the tool server's cannot be delivered: an error for each forwarded request
    /// and the denials, as one JSON array. MCP clients do not read the body of a non-2xx answer as
    /// messages (they report the status and the text), so the array is for JSON-RPC clients that
    /// do, and it is readable text for those that show it; the status says it failed.
    /// </summary>
    private static async Task WriteFailureAsync(HttpResponse response, PendingReplies pending, int status, int upstreamStatus, string message, CancellationToken cancellationToken)
    {
        var answer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(answer))
        {
            writer.WriteStartArray();
            foreach (var id in pending.ForwardedIds)
            {
                McpReplies.WriteUpstreamError(writer, id, message, upstreamStatus);
            }

            WriteReplies(writer, pending);
            writer.WriteEndArray();
        }

        await WriteJsonAsync(response, status, answer, cancellationToken);
    }

    private static async Task WriteJsonAsync(HttpResponse response, int status, ArrayBufferWriter<byte> body, CancellationToken cancellationToken)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = body.WrittenCount;
        await response.Body.WriteAsync(body.WrittenMemory, cancellationToken);
    }

    private static void WriteReplies(Utf8JsonWriter writer, PendingReplies pending)
    {
        foreach (var reply in pending.Replies)
        {
            writer.WriteRawValue(reply, skipInputValidation: true);
        }
    }

    private static string FailureMessage(int status) => $"the tool server answered HTTP {status}";

    private static JsonDocument? TryParse(ReadOnlyMemory<byte> body)
    {
        try
        {
            var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind is JsonValueKind.Array or JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads the decoded answer into pooled memory until it ends, passes <paramref name="limit"/>, or
    /// breaks (the connection closing mid-body, or compressed bytes that do not decode: either way
    /// the rest will not come); the caller returns the buffer.
    /// </summary>
    private static async ValueTask<(byte[] Buffer, int Length, ReadOutcome Outcome)> ReadAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(CopyBufferBytes, limit + 1));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, limit + 1L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    return (buffer, length, ReadOutcome.Complete);
                }

                length += read;
                if (length > limit)
                {
                    return (buffer, length, ReadOutcome.TooLarge);
                }
            }
        }
        catch (IOException)
        {
            return (buffer, length, ReadOutcome.CutOff);
        }
        catch (Exception ex) when (IsUndecodable(ex))
        {
            return (buffer, length, ReadOutcome.Undecodable);
        }
    }

    /// <summary>Whether reading the tool server's answer failed because of the answer: cut off, or not decodable.</summary>
    private static bool IsBroken(Exception ex) => ex is IOException || IsUndecodable(ex);

    // GZipStream and ZLibStream report undecodable bytes as InvalidDataException, BrotliStream as InvalidOperationException.
    private static bool IsUndecodable(Exception ex) => ex is InvalidDataException or InvalidOperationException;

    /// <summary>The coding to undo for a Content-Encoding value, or <see langword="null"/> when the guard cannot.</summary>
    private static string? Coding(string value) => value.Trim().ToLowerInvariant() switch
    {
        "identity" => "identity",
        "gzip" or "x-gzip" => "gzip",
        "deflate" => "deflate",
        "br" => "br",
        _ => null,
    };

    private static Stream Decode(Stream body, string? coding) => coding switch
    {
        "gzip" => new GZipStream(body, CompressionMode.Decompress),
        // HTTP's deflate is zlib-wrapped (RFC 9110 8.4.1.2).
        "deflate" => new ZLibStream(body, CompressionMode.Decompress),
        "br" => new BrotliStream(body, CompressionMode.Decompress),
        _ => body,
    };

    private static ILogger Logger(ResponseTransformContext context)
        => context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PendingRepliesTransform).FullName!);

    private enum ReadOutcome
    {
        Complete,
        TooLarge,

        /// <summary>The connection closed (or reset) before the body ended.</summary>
        CutOff,

        /// <summary>The Content-Encoding does not decode.</summary>
        Undecodable,
    }
}
