using System.Text;
using AgentGuard.Policy;
using AgentGuard.Protocols;

namespace AgentGuard.Infrastructure;

/// <summary>
/// Decides raw JSON-RPC bodies the way the proxy does: decode with <see cref="McpDecoder"/>, build
/// one <see cref="ToolCall"/> per message, decide each with a policy. Exercises decoder,
/// canonicaliser and policy together.
/// </summary>
internal static class McpCalls
{
    public static readonly Agent Evaluator = new("a", "evaluator");

    /// <summary>Decodes <paramref name="body"/> (which must decode) and decides every message.</summary>
    public static Decision[] DecideAll(PolicySet policy, string body) => DecideAll(policy, Encoding.UTF8.GetBytes(body));

    public static Decision[] DecideAll(PolicySet policy, byte[] body)
    {
        using var exchange = McpDecoder.Decode(body);
        Assert.True(exchange.Error == McpDecodeError.None, $"body did not decode: {exchange.Error} {exchange.ErrorDetail}");
        var decisions = new Decision[exchange.Messages.Length];
        for (var i = 0; i < decisions.Length; i++)
        {
            decisions[i] = PolicyEngine.Decide(policy, ToCall(exchange.Messages[i]));
        }

        return decisions;
    }

    /// <summary>Decodes and decides a single-message body.</summary>
    public static Decision Decide(PolicySet policy, string body) => Assert.Single(DecideAll(policy, body));

    /// <summary>A <c>tools/call</c> body for <paramref name="tool"/> with <paramref name="argumentsJson"/> spliced in raw.</summary>
    public static string ToolsCall(string tool, string argumentsJson)
        => $$$"""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"{{{tool}}}","arguments":{{{argumentsJson}}}}}""";

    public static ToolCall ToCall(McpMessage message)
        => new(Evaluator, null, "mcp", message.Method, message.Method == McpMethods.ToolsCall ? message.Name : null, message.Arguments, message.NameIsResource ? message.Name : null);
}
