using System.Text.Json;

namespace AgentGuard.Protocols;

/// <summary>
/// Decodes an MCP Streamable HTTP POST body (one JSON-RPC message or a batch) into messages,
/// rejecting anything the guard could read differently from the tool server: invalid UTF-8,
/// duplicate keys at any depth (the server might keep the other one), comments, trailing commas
/// or data, and JSON-RPC shapes that are not valid. A batch with one bad member is rejected whole.
/// </summary>
public static class McpDecoder
{
    /// <summary>The deepest nesting accepted.</summary>
    public const int MaxDepth = 64;

    private const string LoneSurrogateDetail = "body has a \\u escape that is not valid UTF-16";

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = MaxDepth,
    };

    /// <summary>Decodes <paramref name="body"/>.</summary>
    /// <remarks>The returned exchange reads from <paramref name="body"/>: keep that memory alive and unchanged until the exchange is disposed.</remarks>
    public static McpExchange Decode(ReadOnlyMemory<byte> body)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            return new McpExchange(McpDecodeError.ParseError, "body is not valid UTF-8");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException ex)
        {
            return new McpExchange(McpDecodeError.ParseError, ParseErrorDetail(ex));
        }
        catch (InvalidOperationException) when (HasSurrogateEscape(body.Span))
        {
            // The duplicate-key check unescapes property names and throws on a lone surrogate.
            return new McpExchange(McpDecodeError.ParseError, LoneSurrogateDetail);
        }

        // A lone surrogate escape ("\ud800") is valid JSON but not a string .NET can read (GetString
        // throws), while a server in another language may accept it: the guard cannot see the call
        // the server would see, so the body is malformed. Checked only when such an escape is there.
        if (HasSurrogateEscape(body.Span) && !StringsAreReadable(document.RootElement))
        {
            document.Dispose();
            return new McpExchange(McpDecodeError.ParseError, LoneSurrogateDetail);
        }

        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Object)
        {
            var single = DecodeMessage(root, out var error);
            return single is null
                ? new McpExchange(McpDecodeError.InvalidRequest, error!, document)
                : new McpExchange(document, [single], isBatch: false);
        }

        if (root.ValueKind != JsonValueKind.Array)
        {
            return new McpExchange(McpDecodeError.InvalidRequest, "body is neither a JSON-RPC message nor a batch", document);
        }

        var count = root.GetArrayLength();
        if (count == 0)
        {
            return new McpExchange(McpDecodeError.InvalidRequest, "batch is empty", document);
        }

        var messages = new McpMessage[count];
        var index = 0;
        foreach (var member in root.EnumerateArray())
        {
            var message = DecodeMessage(member, out var error);
            if (message is null)
            {
                return new McpExchange(McpDecodeError.InvalidRequest, $"batch member {index}: {error}", document);
            }

            messages[index++] = message;
        }

        return new McpExchange(document, messages, isBatch: true);
    }

    private static bool HasSurrogateEscape(ReadOnlySpan<byte> json)
    {
        while (true)
        {
            var at = json.IndexOf("\\u"u8);
            if (at < 0 || at + 3 >= json.Length)
            {
                return false;
            }

            json = json[(at + 2)..];
            if ((json[0] | 0x20) == 'd' && (char)json[1] is (>= '8' and <= '9') or (>= 'a' and <= 'f') or (>= 'A' and <= 'F'))
            {
                return true;
            }
        }
    }

    private static bool StringsAreReadable(JsonElement element)
    {
        try
        {
            Read(element);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        static void Read(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        Read(property.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Read(item);
                    }

                    break;
                case JsonValueKind.String:
                    _ = element.GetString();
                    break;
            }
        }
    }

    private static string ParseErrorDetail(JsonException ex)
    {
        // The reader's own messages name the offending token and position, which helps a client
        // developer and tells an agent nothing about policy.
        var message = ex.Message;
        return message.StartsWith("Duplicate property", StringComparison.Ordinal)
            ? "body has a duplicate key"
            : "body is not valid JSON: " + message;
    }

    private static McpMessage? DecodeMessage(JsonElement element, out string? error)
    {
        error = null;
        if (element.ValueKind != JsonValueKind.Object)
        {
            error = "message is not a JSON object";
            return null;
        }

        if (!element.TryGetProperty("jsonrpc"u8, out var version) || version.ValueKind != JsonValueKind.String || !version.ValueEquals("2.0"u8))
        {
            error = "\"jsonrpc\" must be \"2.0\"";
            return null;
        }

        var hasId = element.TryGetProperty("id"u8, out var id);
        if (hasId && id.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
        {
            error = "\"id\" must be a string or a number";
            return null;
        }

        if (!element.TryGetProperty("method"u8, out var methodElement))
        {
            return DecodeResponse(element, hasId, id, out error);
        }

        if (methodElement.ValueKind != JsonValueKind.String)
        {
            error = "\"method\" must be a string";
            return null;
        }

        if (element.TryGetProperty("result"u8, out _) || element.TryGetProperty("error"u8, out _))
        {
            error = "a request cannot carry \"result\" or \"error\"";
            return null;
        }

        var method = MethodName(methodElement);
        if (method.Length == 0)
        {
            error = "\"method\" is empty";
            return null;
        }

        JsonElement parameters = default;
        if (element.TryGetProperty("params"u8, out var p))
        {
            if (p.ValueKind != JsonValueKind.Object)
            {
                error = "\"params\" must be an object";
                return null;
            }

            parameters = p;
        }

        string? name = null;
        JsonElement arguments = default;
        switch (method)
        {
            case McpMethods.ToolsCall:
            case McpMethods.PromptsGet:
                name = RequiredString(parameters, "name"u8, method, out error);
                if (name is null)
                {
                    return null;
                }

                if (parameters.TryGetProperty("arguments"u8, out var args) && args.ValueKind != JsonValueKind.Null)
                {
                    if (args.ValueKind != JsonValueKind.Object)
                    {
                        error = $"{method} \"arguments\" must be an object";
                        return null;
                    }

                    arguments = args;
                }

                break;
            case McpMethods.ResourcesRead:
            case McpMethods.ResourcesSubscribe:
            case McpMethods.ResourcesUnsubscribe:
                name = RequiredString(parameters, "uri"u8, method, out error);
                if (name is null)
                {
                    return null;
                }

                break;
        }

        var kind = hasId ? McpMessageKind.Request : McpMessageKind.Notification;
        return new McpMessage(kind, hasId ? id : default, method, name, arguments, element);
    }

    private static McpMessage? DecodeResponse(JsonElement element, bool hasId, JsonElement id, out string? error)
    {
        var hasResult = element.TryGetProperty("result"u8, out _);
        var hasError = element.TryGetProperty("error"u8, out var errorElement);
        if (hasResult == hasError)
        {
            error = "message has no \"method\" and is not a response with exactly one of \"result\" and \"error\"";
            return null;
        }

        if (hasError && errorElement.ValueKind != JsonValueKind.Object)
        {
            error = "\"error\" must be an object";
            return null;
        }

        if (!hasId && !hasError)
        {
            error = "a response must carry an \"id\"";
            return null;
        }

        error = null;
        return new McpMessage(McpMessageKind.Response, hasId ? id : default, string.Empty, null, default, element);
    }

    private static string? RequiredString(JsonElement parameters, ReadOnlySpan<byte> property, string method, out string? error)
    {
        if (parameters.ValueKind != JsonValueKind.Object
            || !parameters.TryGetProperty(property, out var value)
            || value.ValueKind != JsonValueKind.String)
        {
            error = $"{method} needs a string \"params.{System.Text.Encoding.UTF8.GetString(property)}\"";
            return null;
        }

        error = null;
        return value.GetString();
    }

    private static string MethodName(JsonElement method)
    {
        // The common methods come back as constants, so deciding them allocates no string.
        if (method.ValueEquals("tools/call"u8)) return McpMethods.ToolsCall;
        if (method.ValueEquals("tools/list"u8)) return McpMethods.ToolsList;
        if (method.ValueEquals("initialize"u8)) return McpMethods.Initialize;
        if (method.ValueEquals("notifications/initialized"u8)) return McpMethods.NotificationsInitialized;
        if (method.ValueEquals("resources/read"u8)) return McpMethods.ResourcesRead;
        if (method.ValueEquals("prompts/get"u8)) return McpMethods.PromptsGet;
        if (method.ValueEquals("ping"u8)) return McpMethods.Ping;
        return method.GetString()!;
    }
}
