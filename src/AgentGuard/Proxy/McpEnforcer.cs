using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using AgentGuard.Audit;
using AgentGuard.Protocols;

namespace AgentGuard.Proxy;

/// <summary>
/// Step 6 of the flow: makes the recorded decisions take effect. A request whose members are all
/// denied is answered by the guard in the protocol's form; one partly denied has only its allowed
/// members forwarded, the denials waiting (<see cref="PendingReplies"/>) to be merged into the
/// tool server's answer; a request that could not be decided gets a JSON-RPC error.
/// </summary>
internal static class McpEnforcer
{
    /// <summary>Answers a request none of whose members may go through.</summary>
    public static async Task ReplyAllDeniedAsync(HttpContext context, McpExchange exchange, DecisionRecord[] records)
    {
        var hasRequest = false;
        foreach (var message in exchange.Messages)
        {
            hasRequest |= message.Kind == McpMessageKind.Request;
        }

        if (!hasRequest)
        {
            // Notifications and responses get no JSON-RPC answer; 202 is what a server says to them.
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (exchange.IsBatch)
            {
                writer.WriteStartArray();
            }

            for (var i = 0; i < exchange.Messages.Length; i++)
            {
                if (exchange.Messages[i].Kind == McpMessageKind.Request)
                {
                    McpReplies.WriteDenied(writer, exchange.Messages[i], records[i].Reference);
                }
            }

            if (exchange.IsBatch)
            {
                writer.WriteEndArray();
            }
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    /// <summary>Forwards the allowed members of a partly denied batch; the denials wait to be merged into the answer.</summary>
    public static void ForwardAllowedMembers(HttpContext context, McpExchange exchange, DecisionRecord[] records, int maxBodyBytes)
    {
        var forwarded = new ArrayBufferWriter<byte>(4096);
        var replies = new List<byte[]>();
        var forwardedIds = new List<byte[]>();
        forwarded.Write("["u8);
        var first = true;
        for (var i = 0; i < exchange.Messages.Length; i++)
        {
            var message = exchange.Messages[i];
            if (!records[i].Decision.IsDenied)
            {
                if (!first)
                {
                    forwarded.Write(","u8);
                }

                forwarded.Write(JsonMarshal.GetRawUtf8Value(message.Element));
                first = false;
                if (message.Kind == McpMessageKind.Request)
                {
                    forwardedIds.Add(JsonMarshal.GetRawUtf8Value(message.Id).ToArray());
                }
            }
            else if (message.Kind == McpMessageKind.Request)
            {
                var reply = new ArrayBufferWriter<byte>(256);
                using (var writer = new Utf8JsonWriter(reply))
                {
                    McpReplies.WriteDenied(writer, message, records[i].Reference);
                }

                replies.Add(reply.WrittenSpan.ToArray());
            }
        }

        forwarded.Write("]"u8);
        var bytes = forwarded.WrittenSpan.ToArray();
        context.Request.Headers.Remove("Content-Encoding");
        context.Request.Headers.Remove("Transfer-Encoding");

        // The guard merges its answers into the tool server's, so it must be able to read them.
        context.Request.Headers.Remove("Accept-Encoding");
        context.Request.ContentLength = bytes.Length;
        ForwardedBody.Set(context, bytes);
        if (replies.Count > 0)
        {
            context.Features.Set(new PendingReplies(replies, forwardedIds, maxBodyBytes));
        }
    }

    /// <summary>Answers a request that could not be decided with a JSON-RPC error carrying the audit reference.</summary>
    public static async Task RejectAsync(HttpContext context, int status, int code, string message, string reference)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var body = McpReplies.Error(code, message, reference);
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>Answers a request the guard failed on: "permission denied" and the reference, nothing of the failure.</summary>
    public static async Task FailAsync(HttpContext context, string reference)
    {
        context.Response.Clear();
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(McpReplies.Error(McpReplies.PermissionDeniedCode, "permission denied", reference));
    }
}
