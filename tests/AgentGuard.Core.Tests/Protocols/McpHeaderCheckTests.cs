using System.Text;
using AgentGuard.Protocols;

namespace AgentGuard.Protocols;

public class McpHeaderCheckTests
{
    private const string ModifyVar = """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"modify_var","arguments":{"key":"shutdown_enabled","value":"false","count":3,"force":true}}}""";

    private static readonly (string Name, string Value)[] NoParameters = [];

    private static McpExchange Decode(string body)
    {
        var exchange = McpDecoder.Decode(Encoding.UTF8.GetBytes(body));
        Assert.Equal(McpDecodeError.None, exchange.Error);
        return exchange;
    }

    private static string Base64(string value) => "=?base64?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) + "?=";

    [Fact]
    public void Check_NoHeaders_ReturnsNull()
    {
        using var exchange = Decode(ModifyVar);

        Assert.Null(McpHeaderCheck.Check(exchange, null, null, NoParameters));
    }

    [Fact]
    public void Check_MethodAndNameMatchBody_ReturnsNull()
    {
        using var exchange = Decode(ModifyVar);

        Assert.Null(McpHeaderCheck.Check(exchange, "tools/call", "modify_var", NoParameters));
    }

    [Fact]
    public void Check_MethodDiffersFromBody_ReturnsMismatch()
    {
        using var exchange = Decode(ModifyVar);

        Assert.NotNull(McpHeaderCheck.Check(exchange, "tools/list", null, NoParameters));
    }

    [Fact]
    public void Check_NameDiffersFromBody_ReturnsMismatch()
    {
        // A gateway routing on the header would see view_config while the server runs modify_var.
        using var exchange = Decode(ModifyVar);

        var mismatch = McpHeaderCheck.Check(exchange, "tools/call", "view_config", NoParameters);

        Assert.Equal("Mcp-Name header does not match the body", mismatch);
    }

    [Fact]
    public void Check_NameDiffersOnlyInCase_ReturnsMismatch()
    {
        using var exchange = Decode(ModifyVar);

        Assert.NotNull(McpHeaderCheck.Check(exchange, null, "Modify_Var", NoParameters));
    }

    [Fact]
    public void Check_Base64EncodedNameMatchingBody_ReturnsNull()
    {
        using var exchange = Decode(ModifyVar);

        Assert.Null(McpHeaderCheck.Check(exchange, Base64("tools/call"), Base64("modify_var"), NoParameters));
    }

    [Fact]
    public void Check_Base64PrefixInUpperCase_IsDecoded()
    {
        using var exchange = Decode(ModifyVar);

        Assert.Null(McpHeaderCheck.Check(exchange, null, Base64("modify_var").Replace("base64", "BASE64", StringComparison.Ordinal), NoParameters));
    }

    [Fact]
    public void Check_Base64EncodedNameDifferingFromBody_ReturnsMismatch()
    {
        using var exchange = Decode(ModifyVar);

        Assert.NotNull(McpHeaderCheck.Check(exchange, null, Base64("view_config"), NoParameters));
    }

    [Theory]
    [InlineData("=?base64?not*base64?=")]
    [InlineData("=?base64?bW9kaWZ5X3Zhcg?=")] // missing padding
    [InlineData("=?base64?/w==?=")] // decodes to the invalid UTF-8 byte 0xFF
    public void Check_MalformedBase64Name_ReturnsMismatch(string header)
    {
        using var exchange = Decode(ModifyVar);

        Assert.NotNull(McpHeaderCheck.Check(exchange, null, header, NoParameters));
    }

    [Fact]
    public void Check_Base64NonAsciiNameMatchingBody_ReturnsNull()
    {
        using var exchange = Decode("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"überprüfen"}}""");

        Assert.Null(McpHeaderCheck.Check(exchange, null, Base64("überprüfen"), NoParameters));
    }

    [Fact]
    public void Check_NameOnResourcesRead_ComparesWithUri()
    {
        using var exchange = Decode("""{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"file:///srv/config/shutdown_config.yaml"}}""");

        Assert.Null(McpHeaderCheck.Check(exchange, "resources/read", "file:///srv/config/shutdown_config.yaml", NoParameters));
        Assert.NotNull(McpHeaderCheck.Check(exchange, "resources/read", "file:///srv/notes.txt", NoParameters));
    }

    [Fact]
    public void Check_NameOnMethodWithoutName_ReturnsMismatch()
    {
        using var exchange = Decode("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""");

        Assert.NotNull(McpHeaderCheck.Check(exchange, null, "modify_var", NoParameters));
    }

    [Fact]
    public void Check_HeadersOnBatch_ReturnsMismatch()
    {
        using var exchange = Decode("""[{"jsonrpc":"2.0","id":1,"method":"ping"}]""");

        Assert.Equal("Mcp-* headers cannot describe a batch", McpHeaderCheck.Check(exchange, "ping", null, NoParameters));
    }

    [Fact]
    public void Check_NoHeadersOnBatch_ReturnsNull()
    {
        using var exchange = Decode("""[{"jsonrpc":"2.0","id":1,"method":"ping"}]""");

        Assert.Null(McpHeaderCheck.Check(exchange, null, null, NoParameters));
    }

    [Fact]
    public void Check_MethodHeaderOnResponse_ReturnsMismatch()
    {
        using var exchange = Decode("""{"jsonrpc":"2.0","id":1,"result":{}}""");

        Assert.NotNull(McpHeaderCheck.Check(exchange, "tools/call", null, NoParameters));
    }

    [Theory]
    [InlineData("key", "shutdown_enabled")]
    [InlineData("Key", "shutdown_enabled")]
    [InlineData("count", "3")]
    [InlineData("force", "true")]
    public void Check_ParamMatchingSameNamedArgument_ReturnsNull(string parameter, string value)
    {
        using var exchange = Decode(ModifyVar);

        Assert.Null(McpHeaderCheck.Check(exchange, null, null, [(parameter, value)]));
    }

    [Fact]
    public void Check_ParamDifferingFromSameNamedArgument_ReturnsMismatchEvenIfAnotherArgumentMatches()
    {
        // "false" is the value argument, not the key: a same-named argument must itself agree.
        using var exchange = Decode(ModifyVar);

        var mismatch = McpHeaderCheck.Check(exchange, null, null, [("key", "false")]);

        Assert.Equal("Mcp-Param-key header does not match the body's arguments", mismatch);
    }

    [Fact]
    public void Check_ParamWithoutSameNamedArgument_MatchesAnyPrimitiveArgument()
    {
        // The header name comes from the schema's x-mcp-header and need not be the argument's name.
        using var exchange = Decode(ModifyVar);

        Assert.Null(McpHeaderCheck.Check(exchange, null, null, [("Config-Key", "shutdown_enabled")]));
        Assert.NotNull(McpHeaderCheck.Check(exchange, null, null, [("Config-Key", "log_level")]));
    }

    [Fact]
    public void Check_Base64Param_IsDecoded()
    {
        using var exchange = Decode(ModifyVar);

        Assert.Null(McpHeaderCheck.Check(exchange, null, null, [("value", Base64("false"))]));
        Assert.NotNull(McpHeaderCheck.Check(exchange, null, null, [("value", Base64("true"))]));
    }

    [Fact]
    public void Check_ParamWhenBodyHasNoArguments_ReturnsMismatch()
    {
        using var exchange = Decode("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"view_config"}}""");

        Assert.NotNull(McpHeaderCheck.Check(exchange, null, null, [("filename", "shutdown_config.yaml")]));
    }

    [Fact]
    public void Check_ParamMatchingOnlyAnObjectArgument_ReturnsMismatch()
    {
        using var exchange = Decode("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"options":{"path":"/a"}}}}""");

        Assert.NotNull(McpHeaderCheck.Check(exchange, null, null, [("options", """{"path":"/a"}""")]));
    }
}
