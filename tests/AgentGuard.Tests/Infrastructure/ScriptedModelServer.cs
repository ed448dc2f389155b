using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace AgentGuard.Infrastructure;

/// <summary>
/// A real Kestrel server speaking the OpenAI chat-completions wire format with tool calls, replaying
/// a scripted model: its answer to each request is the next tool call of the script (one per tool
/// result already in the conversation), then a closing text.
/// </summary>
internal sealed class ScriptedModelServer : IAsyncDisposable
{
    private readonly TestUpstream _upstream;

    private ScriptedModelServer(TestUpstream upstream) => _upstream = upstream;

    /// <summary>The API's base URL.</summary>
    public Uri Endpoint => new(_upstream.Address, "/v1");

    /// <summary>How many completions were asked for.</summary>
    public int Requests
    {
        get
        {
            lock (_upstream.Received)
            {
                return _upstream.Received.Count;
            }
        }
    }

    public static async Task<ScriptedModelServer> StartAsync(IReadOnlyList<(string Tool, JsonObject Arguments)> script)
    {
        var upstream = await TestUpstream.StartAsync(async (context, self) =>
        {
            var received = await ReceivedRequest.ReadAsync(context.Request);
            lock (self.Received)
            {
                self.Received.Add(received);
            }

            if (context.Request.Path != "/v1/chat/completions")
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            var body = JsonNode.Parse(received.Body)!;
            var step = body["messages"]!.AsArray().Count(m => (string?)m!["role"] == "tool");
            var offered = body["tools"]?.AsArray().Select(t => (string?)t!["function"]!["name"]).ToHashSet() ?? [];
            JsonObject message;
            string finish;
            if (step < script.Count && offered.Contains(script[step].Tool))
            {
                message = new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = null,
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["id"] = $"call_{step}",
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = script[step].Tool, ["arguments"] = script[step].Arguments.ToJsonString() },
                    }),
                };
                finish = "tool_calls";
            }
            else
            {
                message = new JsonObject { ["role"] = "assistant", ["content"] = "I have completed the task." };
                finish = "stop";
            }

            var completion = new JsonObject
            {
                ["id"] = "chatcmpl-scripted",
                ["object"] = "chat.completion",
                ["created"] = 1_764_892_800,
                ["model"] = (string?)body["model"],
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = finish }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 100, ["completion_tokens"] = 20, ["total_tokens"] = 120 },
            };
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(completion.ToJsonString());
        });
        return new ScriptedModelServer(upstream);
    }

    public ValueTask DisposeAsync() => _upstream.DisposeAsync();
}
