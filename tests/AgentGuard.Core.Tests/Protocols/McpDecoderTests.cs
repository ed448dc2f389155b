using System.Text;
using System.Text.Json;
using AgentGuard.Protocols;

namespace AgentGuard.Protocols;

public class McpDecoderTests
{
    private static McpExchange Decode(string body) => McpDecoder.Decode(Encoding.UTF8.GetBytes(body));

    [Fact]
    public void Decode_ToolsCallRequest_ReturnsRequestWithNameAndArguments()
    {
        using var exchange = Decode("""{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"modify_var","arguments":{"key":"shutdown_enabled","value":"false"}}}""");

        Assert.Equal(McpDecodeError.None, exchange.Error);
        Assert.False(exchange.IsBatch);
        var message = Assert.Single(exchange.Messages);
        Assert.Equal(McpMessageKind.Request, message.Kind);
        Assert.Equal(7, message.Id.GetInt32());
        Assert.Equal(McpMethods.ToolsCall, message.Method);
        Assert.Equal("modify_var", message.Name);
        Assert.Equal("shutdown_enabled", message.Arguments.GetProperty("key").GetString());
        Assert.False(message.NameIsResource);
    }

    [Fact]
    public void Decode_Notification_ReturnsNotificationWithoutId()
    {
        using var exchange = Decode("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");

        var message = Assert.Single(exchange.Messages);
        Assert.Equal(McpMessageKind.Notification, message.Kind);
        Assert.Equal(JsonValueKind.Undefined, message.Id.ValueKind);
        Assert.Equal(McpMethods.NotificationsInitialized, message.Method);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":"s-1","result":{"action":"accept"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"not found"}}""")]
    public void Decode_Response_ReturnsResponseWithEmptyMethod(string body)
    {
        using var exchange = Decode(body);

        Assert.Equal(McpDecodeError.None, exchange.Error);
        var message = Assert.Single(exchange.Messages);
        Assert.Equal(McpMessageKind.Response, message.Kind);
        Assert.Equal(string.Empty, message.Method);
        Assert.Null(message.Name);
    }

    [Fact]
    public void Decode_BatchMixingRequestNotificationAndResponse_ReturnsEveryMessageInOrder()
    {
        using var exchange = Decode("""
            [
              {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"view_config"}},
              {"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":0}},
              {"jsonrpc":"2.0","id":"srv-1","result":{}},
              {"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"file:///srv/config/shutdown_config.yaml"}}
            ]
            """);

        Assert.Equal(McpDecodeError.None, exchange.Error);
        Assert.True(exchange.IsBatch);
        Assert.Collection(
            exchange.Messages,
            m => Assert.Equal((McpMessageKind.Request, "view_config"), (m.Kind, m.Name)),
            m => Assert.Equal((McpMessageKind.Notification, "notifications/cancelled"), (m.Kind, m.Method)),
            m => Assert.Equal(McpMessageKind.Response, m.Kind),
            m => Assert.Equal((McpMessageKind.Request, "file:///srv/config/shutdown_config.yaml", true), (m.Kind, m.Name, m.NameIsResource)));
    }

    [Fact]
    public void Decode_JsonEscapesInArguments_ArgumentsYieldUnescapedText()
    {
        using var exchange = Decode("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"modify_var","arguments":{"\u006bey":"\u0073hutdown_enabled","value":"f\u0061lse"}}}""");

        var arguments = Assert.Single(exchange.Messages).Arguments;
        Assert.Equal("shutdown_enabled", arguments.GetProperty("key").GetString());
        Assert.Equal("false", arguments.GetProperty("value").GetString());
    }

    [Fact]
    public void Decode_EscapedMethodAndToolName_AreUnescaped()
    {
        using var exchange = Decode("""{"jsonrpc":"2.0","id":1,"method":"tools\/call","params":{"name":"\u006dodify_var"}}""");

        var message = Assert.Single(exchange.Messages);
        Assert.Equal(McpMethods.ToolsCall, message.Method);
        Assert.Equal("modify_var", message.Name);
    }

    [Fact]
    public void Decode_ValidSurrogatePairEscape_Decodes()
    {
        using var exchange = Decode("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"\ud83d\ude00"}}}""");

        Assert.Equal(McpDecodeError.None, exchange.Error);
        Assert.Equal("\U0001F600", exchange.Messages[0].Arguments.GetProperty("text").GetString());
    }

    [Fact]
    public void Decode_NullArguments_TreatedAsAbsent()
    {
        using var exchange = Decode("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"tools_without_args","arguments":null}}""");

        Assert.Equal(McpDecodeError.None, exchange.Error);
        Assert.Equal(JsonValueKind.Undefined, exchange.Messages[0].Arguments.ValueKind);
    }

    [Fact]
    public void Decode_UnknownMembers_AreSkipped()
    {
        using var exchange = Decode("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","_meta":{"progressToken":1}},"extra":[1,2]}""");

        Assert.Equal(McpDecodeError.None, exchange.Error);
        Assert.Equal("x", exchange.Messages[0].Name);
    }

    [Theory]
    [InlineData(new byte[] { 0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D })] // {"\xC3(":1} truncated two-byte sequence
    [InlineData(new byte[] { 0x7B, 0x22, 0xC0, 0xAE, 0x22, 0x3A, 0x31, 0x7D })] // overlong encoding of '.'
    [InlineData(new byte[] { 0x7B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x3A, 0x31, 0x7D })] // UTF-8 encoded surrogate (CESU-8)
    [InlineData(new byte[] { 0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D })]
    public void Decode_InvalidUtf8_ReturnsParseError(byte[] body)
    {
        using var exchange = McpDecoder.Decode(body);

        Assert.Equal(McpDecodeError.ParseError, exchange.Error);
        Assert.Empty(exchange.Messages);
    }

    public static TheoryData<string> MalformedBodies => new()
    {
        string.Empty,
        "   ",
        "{",
        """{"jsonrpc":"2.0","id":1,"method":"ping""",
        """{"jsonrpc":"2.0","id":1,"method":}""",
        """{'jsonrpc':'2.0','id':1,'method':'ping'}""",
        """{"jsonrpc":"2.0","id":NaN,"method":"ping"}""",
        """{"jsonrpc":"2.0","id":1,"method":"ping"} // comment""",
        """{"jsonrpc":"2.0",/* comment */"id":1,"method":"ping"}""",
        """{"jsonrpc":"2.0","id":1,"method":"ping",}""",
        """[{"jsonrpc":"2.0","id":1,"method":"ping"},]""",
        """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":[1,2,]}}}""",
        """{"jsonrpc":"2.0","id":1,"method":"ping"} {"jsonrpc":"2.0","id":2,"method":"ping"}""",
        """{"jsonrpc":"2.0","id":1,"method":"ping"}x""",
        """{"jsonrpc":"2.0","id":1,"method":"ping"}]""",
        "\"just a string\" 1",
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public void Decode_MalformedJson_ReturnsParseError(string body)
    {
        using var exchange = Decode(body);

        Assert.Equal(McpDecodeError.ParseError, exchange.Error);
        Assert.Empty(exchange.Messages);
        Assert.False(string.IsNullOrEmpty(exchange.ErrorDetail));
    }

    public static TheoryData<string> DuplicateKeyBodies => new()
    {
        // The server might act on either copy; the guard must not pick one.
        """{"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/call"}""",
        """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"view_config","name":"modify_var"}}""",
        """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"modify_var","arguments":{"value":"true","value":"false"}}}""",
        """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":{"b":[{"c":1,"c":2}]}}}}""",
        """{"a":1,"\u0061":2}""",
        """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"modify_var","arguments":{"key":"a","\u006bey":"shutdown_enabled"}}}""",
        """[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"id":3,"method":"ping"}]""",
    };

    [Theory]
    [MemberData(nameof(DuplicateKeyBodies))]
    public void Decode_DuplicateKeyAtAnyDepth_ReturnsParseError(string body)
    {
        using var exchange = Decode(body);

        Assert.Equal(McpDecodeError.ParseError, exchange.Error);
        Assert.Equal("body has a duplicate key", exchange.ErrorDetail);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"\ud800"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"\udc00"}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"\ud800":"a"}}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"path":"/srv/\ud800shutdown_config.yaml"}}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":["\ude00\ud83d"]}}}""")]
    public void Decode_LoneSurrogateEscape_ReturnsParseError(string body)
    {
        // .NET cannot read such a string back (GetString throws) while a tool server in another
        // language may accept it: the guard cannot see what the server would, so it is malformed.
        using var exchange = Decode(body);

        Assert.Equal(McpDecodeError.ParseError, exchange.Error);
    }

    [Fact]
    public void Decode_NestingAtMaxDepth_Decodes()
    {
        // Root object, params and arguments are three levels; the rest is arrays.
        using var exchange = Decode(Nested(McpDecoder.MaxDepth - 3));

        Assert.Equal(McpDecodeError.None, exchange.Error);
    }

    [Fact]
    public void Decode_NestingBeyondMaxDepth_ReturnsParseError()
    {
        using var exchange = Decode(Nested(McpDecoder.MaxDepth - 2));

        Assert.Equal(McpDecodeError.ParseError, exchange.Error);
    }

    [Fact]
    public void Decode_HugelyNestedBody_ReturnsParseError()
    {
        using var exchange = Decode(new string('[', 100_000) + new string(']', 100_000));

        Assert.Equal(McpDecodeError.ParseError, exchange.Error);
    }

    public static TheoryData<string> InvalidRequestBodies => new()
    {
        "[]",
        "1",
        "\"tools/call\"",
        "null",
        """[1]""",
        """[{"jsonrpc":"2.0","id":1,"method":"ping"},"ping"]""",
        """[{"jsonrpc":"2.0","id":1,"method":"ping"},{"id":2,"method":"ping"}]""",
        """[[{"jsonrpc":"2.0","id":1,"method":"ping"}]]""",
        """{"id":1,"method":"ping"}""",
        """{"jsonrpc":"1.0","id":1,"method":"ping"}""",
        """{"jsonrpc":2.0,"id":1,"method":"ping"}""",
        """{"jsonrpc":"2.0","id":null,"method":"ping"}""",
        """{"jsonrpc":"2.0","id":{"n":1},"method":"ping"}""",
        """{"jsonrpc":"2.0","id":[1],"method":"ping"}""",
        """{"jsonrpc":"2.0","id":true,"method":"ping"}""",
        """{"jsonrpc":"2.0","id":1,"method":7}""",
        """{"jsonrpc":"2.0","id":1,"method":""}""",
        """{"jsonrpc":"2.0","id":1,"method":"ping","params":[1,2]}""",
        """{"jsonrpc":"2.0","id":1,"method":"ping","params":"x"}""",
        """{"jsonrpc":"2.0","id":1,"method":"tools/call"}""",
        """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}}""",
        """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":7}}""",
        """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":null}}""",
        """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":["a"]}}""",
        """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":"{\"a\":1}"}}""",
        """{"jsonrpc":"2.0","id":1,"method":"prompts/get","params":{"arguments":{}}}""",
        """{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{}}""",
        """{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":["file:///a"]}}""",
        """{"jsonrpc":"2.0","id":1,"method":"resources/subscribe"}""",
        """{"jsonrpc":"2.0","id":1,"method":"ping","result":{}}""",
        """{"jsonrpc":"2.0","id":1,"method":"ping","error":{"code":1,"message":"x"}}""",
        """{"jsonrpc":"2.0","result":{}}""",
        """{"jsonrpc":"2.0","id":1}""",
        """{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"x"}}""",
        """{"jsonrpc":"2.0","id":1,"error":"failed"}""",
    };

    [Theory]
    [MemberData(nameof(InvalidRequestBodies))]
    public void Decode_NotAValidJsonRpcMessage_ReturnsInvalidRequest(string body)
    {
        using var exchange = Decode(body);

        Assert.Equal(McpDecodeError.InvalidRequest, exchange.Error);
        Assert.Empty(exchange.Messages);
        Assert.False(string.IsNullOrEmpty(exchange.ErrorDetail));
    }

    [Fact]
    public void Decode_BatchWithOneBadMember_RejectsWholeBatchNamingTheMember()
    {
        using var exchange = Decode("""
            [
              {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"view_config"}},
              {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"modify_var","arguments":[]}}
            ]
            """);

        Assert.Equal(McpDecodeError.InvalidRequest, exchange.Error);
        Assert.Empty(exchange.Messages);
        Assert.StartsWith("batch member 1:", exchange.ErrorDetail, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_MegabyteOfArguments_Decodes()
    {
        var content = new string('x', 1024 * 1024);
        using var exchange = Decode("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"write_file","arguments":{"path":"/tmp/a","content":""" + "\"" + content + "\"}}}");

        Assert.Equal(McpDecodeError.None, exchange.Error);
        Assert.Equal(content.Length, exchange.Messages[0].Arguments.GetProperty("content").GetString()!.Length);
    }

    private static string Nested(int arrays)
        => """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":""" + new string('[', arrays) + new string(']', arrays) + "}}}";
}
