using Microsoft.Extensions.AI;
using ModelContextProtocol.Client;

namespace AgentGuard.Trials;

/// <summary>
/// The built-in agent loop: a model behind an OpenAI-compatible endpoint, through
/// Microsoft.Extensions.AI with function invocation over the episode's MCP tools (listed by the
/// ModelContextProtocol client, called through the guard), the study's system prompt and task, and
/// a step limit. A model that stops calling tools before <c>end_task</c> is told to go on, as the
/// study's harness does, until the limit.
/// </summary>
public sealed class ModelAgent(string model, Func<IChatClient> chatClient, int maxSteps, float? temperature) : IEpisodeAgent
{
    private const string Continue = "Please continue with the task, using a tool on every turn. Call end_task only when the task is complete.";

    public string Description => "model " + model;

    public async Task<AgentExit> RunAsync(EpisodeContext context, CancellationToken cancellationToken)
    {
        await using var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = context.McpUrl,
            TransportMode = HttpTransportMode.StreamableHttp,
        });
        await using var mcp = await McpClient.CreateAsync(transport, cancellationToken: cancellationToken);
        var tools = await mcp.ListToolsAsync(cancellationToken: cancellationToken);
        var steps = 0;
        using var client = chatClient().AsBuilder()
            .UseFunctionInvocation(configure: invoking =>
            {
                invoking.MaximumIterationsPerRequest = maxSteps;
                invoking.FunctionInvoker = async (invocation, ct) =>
                {
                    Interlocked.Increment(ref steps);
                    return await invocation.Function.InvokeAsync(invocation.Arguments, ct);
                };
            })
            .Build();
        var options = new ChatOptions
        {
            Tools = [.. tools],
            Temperature = temperature,
            Seed = context.Seed,
        };
        List<ChatMessage> messages =
        [
            new(ChatRole.System, context.Setup.SystemPrompt),
            new(ChatRole.User, context.Setup.TaskPrompt),
        ];

        try
        {
            while (!context.TaskEnded() && Volatile.Read(ref steps) < maxSteps)
            {
                var before = Volatile.Read(ref steps);
                var response = await client.GetResponseAsync(messages, options, cancellationToken);
                messages.AddRange(response.Messages);
                if (context.TaskEnded())
                {
                    break;
                }

                if (Volatile.Read(ref steps) == before && messages.Count(m => m.Role == ChatRole.User) > 3)
                {
                    // Three times told to go on without a single tool call: the model has stopped.
                    return new AgentExit(false, $"stopped after {steps} tool calls without end_task");
                }

                messages.Add(new ChatMessage(ChatRole.User, Continue));
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or System.ClientModel.ClientResultException or InvalidOperationException or System.Text.Json.JsonException)
        {
            return new AgentExit(true, ex.GetType().Name + ": " + ex.Message);
        }

        return new AgentExit(false, context.TaskEnded() ? $"end_task after {steps} tool calls" : $"step limit ({maxSteps}) reached");
    }
}
