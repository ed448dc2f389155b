using System.Buffers;
using System.Text.Json;
using Yarp.ReverseProxy.Transforms;

namespace AgentGuard.Proxy;

internal static partial class PendingRepliesTransform
{
    private static readonly byte[] EventStart = "event: message\ndata: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] ArrayStart = "["u8.ToArray();
    private static readonly byte[] ArrayEnd = "]"u8.ToArray();
    private static readonly byte[] Comma = ","u8.ToArray();

    /// <summary>
    /// An SSE answer: the denial events first, flushed, then the tool server's events as each is
    /// complete. Nothing is held but the event in progress. If the tool server's stream breaks,
    /// each forwarded request it had not answered gets an error event and the stream ends
    /// cleanly; if it broke inside an event too large to hold, the agent's connection is broken too.
    /// </summary>
    private static async Task StreamEventsAsync(ResponseTransformContext context, Stream body, PendingReplies pending, CancellationToken cancellationToken)
    {
        var response = context.HttpContext.Response;
        foreach (var reply in pending.Replies)
        {
            await WriteEventAsync(response.Body, reply, cancellationToken);
        }

        await response.Body.FlushAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
        using var events = new McpEventStream(response.Body, pending.MaxBodyBytes);
        long copied = 0;
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await events.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                copied += read;
            }

            await events.CompleteAsync(cancellationToken);
            return;
        }
        catch (Exception ex) when (IsBroken(ex))
        {
            if (context.HttpContext.RequestAborted.IsCancellationRequested)
            {
                // It was the agent's side that broke: there is no one left to tell.
                return;
            }

            Log.UpstreamCutOff(Logger(context), response.StatusCode, copied);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (!events.Tracking)
        {
            context.HttpContext.Abort();
            return;
        }

        foreach (var id in events.Unanswered(pending.ForwardedIds))
        {
            var error = new ArrayBufferWriter<byte>(256);
            using (var writer = new Utf8JsonWriter(error))
            {
                McpReplies.WriteUpstreamError(writer, id, "the tool server's answer was cut off", response.StatusCode);
            }

            await WriteEventAsync(response.Body, error.WrittenMemory, cancellationToken);
        }

        await response.Body.FlushAsync(cancellationToken);
    }

    private static async ValueTask WriteEventAsync(Stream destination, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        await destination.WriteAsync(EventStart, cancellationToken);
        await destination.WriteAsync(message, cancellationToken);
        await destination.WriteAsync(EventEnd, cancellationToken);
    }

    /// <summary>
    /// A JSON answer larger than the guard holds: streamed as one array with the denials first
    /// (JSON-RPC lets a batch's answers come in any order), then the tool server's messages
    /// (the elements of its array, or its one object). <paramref name="head"/> is what was read already.
    /// </summary>
    private static async Task SpliceAsync(ResponseTransformContext context, ReadOnlyMemory<byte> head, Stream body, PendingReplies pending, int status, CancellationToken cancellationToken)
    {
        var response = context.HttpContext.Response;
        var start = SkipWhitespace(head.Span);
        var opening = start < head.Length ? head.Span[start] : (byte)0;
        if (opening is not ((byte)'[' or (byte)'{'))
        {
            // More than the limit of something that is not JSON: nothing to merge into.
            Log.UpstreamUnreadable(Logger(context), status, "a large body that is not JSON");
            await WriteFailureAsync(response, pending, StatusCodes.Status502BadGateway, status, "the tool server's answer could not be read", cancellationToken);
            return;
        }

        response.StatusCode = status;
        response.ContentType = "application/json";
        await response.Body.WriteAsync(ArrayStart, cancellationToken);
        for (var i = 0; i < pending.Replies.Count; i++)
        {
            if (i > 0)
            {
                await response.Body.WriteAsync(Comma, cancellationToken);
            }

            await response.Body.WriteAsync(pending.Replies[i], cancellationToken);
        }

        var isArray = opening == (byte)'[';

        // An array's own '[' gives way to ours, and its first element (if any) follows a comma;
        // one object follows a comma and is closed by our ']'.
        var awaitingFirst = isArray;
        var rest = isArray ? head[(start + 1)..] : head[start..];
        if (!isArray)
        {
            await response.Body.WriteAsync(Comma, cancellationToken);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
        long copied = head.Length;
        try
        {
            while (true)
            {
                if (awaitingFirst)
                {
                    rest = rest[SkipWhitespace(rest.Span)..];
                    if (rest.Length > 0)
                    {
                        awaitingFirst = false;
                        if (rest.Span[0] != (byte)']')
                        {
                            await response.Body.WriteAsync(Comma, cancellationToken);
                        }
                    }
                }

                await response.Body.WriteAsync(rest, cancellationToken);
                var read = await body.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                copied += read;
                rest = buffer.AsMemory(0, read);
            }

            if (!isArray)
            {
                await response.Body.WriteAsync(ArrayEnd, cancellationToken);
            }
        }
        catch (Exception ex) when (IsBroken(ex))
        {
            // The status is gone: breaking the agent's connection is the only way left to say so
            // (unless it was the agent's side that broke).
            if (!context.HttpContext.RequestAborted.IsCancellationRequested)
            {
                Log.UpstreamCutOff(Logger(context), status, copied);
                context.HttpContext.Abort();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> span)
    {
        var i = 0;
        while (i < span.Length && span[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i++;
        }

        return i;
    }
}
