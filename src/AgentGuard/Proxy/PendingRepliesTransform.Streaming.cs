using System.Buffers;
using Yarp.ReverseProxy.Transforms;

namespace AgentGuard.Proxy;

internal static partial class PendingRepliesTransform
{
    /// <summary>
    /// An SSE answer: the denial events first, flushed, then the tool server's events as they
    /// come. Its stream is never held; if it breaks, the agent's breaks too (as for any call the
    /// guard forwards), after the denials have gone out.
    /// </summary>
    private static async Task StreamEventsAsync(ResponseTransformContext context, Stream body, PendingReplies pending, CancellationToken cancellationToken)
    {
        var response = context.HttpContext.Response;
        foreach (var reply in pending.Replies)
        {
            await response.Body.WriteAsync("event: message\ndata: "u8.ToArray(), cancellationToken);
            await response.Body.WriteAsync(reply, cancellationToken);
            await response.Body.WriteAsync("\n\n"u8.ToArray(), cancellationToken);
        }

        await response.Body.FlushAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
        long copied = 0;
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await response.Body.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                await response.Body.FlushAsync(cancellationToken);
                copied += read;
            }
        }
        catch (Exception ex) when (IsBroken(ex))
        {
            Log.UpstreamCutOff(Logger(context), response.StatusCode, copied);
            context.HttpContext.Abort();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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
        await response.Body.WriteAsync("["u8.ToArray(), cancellationToken);
        for (var i = 0; i < pending.Replies.Count; i++)
        {
            if (i > 0)
            {
                await response.Body.WriteAsync(","u8.ToArray(), cancellationToken);
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
            await response.Body.WriteAsync(","u8.ToArray(), cancellationToken);
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
                            await response.Body.WriteAsync(","u8.ToArray(), cancellationToken);
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
                await response.Body.WriteAsync("]"u8.ToArray(), cancellationToken);
            }
        }
        catch (Exception ex) when (IsBroken(ex))
        {
            // The status is gone: breaking the agent's connection is the only way left to say so.
            Log.UpstreamCutOff(Logger(context), status, copied);
            context.HttpContext.Abort();
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
