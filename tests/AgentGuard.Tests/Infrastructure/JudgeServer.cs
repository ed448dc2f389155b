using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentGuard.Oversight;
using Microsoft.AspNetCore.Http;

namespace AgentGuard.Infrastructure;

/// <summary>
/// A real Kestrel server speaking the OpenAI chat-completions wire format
/// (<c>POST /v1/chat/completions</c>, answering <c>choices[0].message.content</c>), whose judges grade
/// deterministically: each model has a <see cref="JudgeBehaviour"/>, and a grading one reads the
/// items from the prompt and looks their text up in an answer key.
/// </summary>
internal sealed class JudgeServer : IAsyncDisposable
{
    private readonly TestUpstream _upstream;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _arrived = new(StringComparer.Ordinal);

    private JudgeServer(TestUpstream upstream) => _upstream = upstream;

    /// <summary>The API's base URL, as an operator would configure it.</summary>
    public Uri Endpoint => new(_upstream.Address, "/v1");

    /// <summary>Every request the server received, bodies included.</summary>
    public IReadOnlyList<ReceivedRequest> Received
    {
        get
        {
            lock (_upstream.Received)
            {
                return [.. _upstream.Received];
            }
        }
    }

    /// <summary>Completes when a request for <paramref name="model"/> has arrived.</summary>
    public Task Arrived(string model) => _arrived.GetOrAdd(model, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public static async Task<JudgeServer> StartAsync(IReadOnlyDictionary<string, JudgeBehaviour> judges)
    {
        JudgeServer? server = null;
        var upstream = await TestUpstream.StartAsync(async (context, self) =>
        {
            var received = await ReceivedRequest.ReadAsync(context.Request);
            lock (self.Received)
            {
                self.Received.Add(received);
            }

            if (!HttpMethods.IsPost(context.Request.Method) || context.Request.Path != "/v1/chat/completions")
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            var body = JsonNode.Parse(received.Body)!;
            var model = (string)body["model"]!;
            server!._arrived.GetOrAdd(model, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            if (!judges.TryGetValue(model, out var behaviour))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                await context.Response.WriteAsJsonAsync(new { error = new { message = $"model '{model}' not found", type = "invalid_request_error" } });
                return;
            }

            switch (behaviour)
            {
                case JudgeBehaviour.Hang:
                    // Answers nothing until the client gives up.
                    try
                    {
                        await Task.Delay(Timeout.Infinite, context.RequestAborted);
                    }
                    catch (OperationCanceledException)
                    {
                    }

                    return;
                case JudgeBehaviour.Status status:
                    context.Response.StatusCode = status.Code;
                    await context.Response.WriteAsJsonAsync(new { error = new { message = "the judge is down", type = "server_error" } });
                    return;
                case JudgeBehaviour.Grading grading:
                    await AnswerAsync(context.Response, model, grading.Answer(ItemsOf(body)), "stop");
                    return;
                case JudgeBehaviour.Raw raw:
                    await AnswerAsync(context.Response, model, raw.Content, raw.FinishReason);
                    return;
            }
        });
        server = new JudgeServer(upstream);
        return server;
    }

    /// <summary>The user message's text, whether sent as a string or as content parts.</summary>
    public static string UserText(JsonNode body)
    {
        foreach (var message in body["messages"]!.AsArray())
        {
            if ((string?)message!["role"] != "user")
            {
                continue;
            }

            var content = message["content"]!;
            if (content is JsonValue)
            {
                return (string)content!;
            }

            return string.Concat(content.AsArray().Select(part => (string?)part!["text"] ?? ""));
        }

        throw new InvalidOperationException("no user message");
    }

    /// <summary>The items the prompt lists: the JSON lines after the items heading.</summary>
    private static List<(string Id, string Text)> ItemsOf(JsonNode body)
    {
        var items = new List<(string, string)>();
        var lines = UserText(body).Split('\n');
        var start = Array.IndexOf(lines, JudgePrompt.ItemsHeading);
        for (var i = start + 1; i < lines.Length && lines[i].StartsWith('{'); i++)
        {
            var item = JsonNode.Parse(lines[i])!;
            items.Add(((string)item["id"]!, (string)item["text"]!));
        }

        return items;
    }

    private static async Task AnswerAsync(HttpResponse response, string model, string content, string finishReason)
    {
        var completion = new JsonObject
        {
            ["id"] = "chatcmpl-test",
            ["object"] = "chat.completion",
            ["created"] = 1_764_892_800,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                ["finish_reason"] = finishReason,
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 100, ["completion_tokens"] = 50, ["total_tokens"] = 150 },
        };
        response.ContentType = "application/json";
        await response.WriteAsync(completion.ToJsonString());
    }

    public ValueTask DisposeAsync() => _upstream.DisposeAsync();
}

/// <summary>What one model of a <see cref="JudgeServer"/> does.</summary>
internal abstract record JudgeBehaviour
{
    /// <summary>
    /// Grades each item by its text from <paramref name="Key"/> (true = right), the other way for the
    /// texts in <paramref name="Flipped"/>; the overall score is the percentage right, and the grade,
    /// when given, is <paramref name="Grade"/>.
    /// </summary>
    public sealed record Grading(IReadOnlyDictionary<string, bool> Key, IReadOnlySet<string>? Flipped = null, string? Grade = null) : JudgeBehaviour
    {
        public string Answer(List<(string Id, string Text)> items)
        {
            var answer = new JsonArray();
            var right = 0;
            foreach (var (id, text) in items)
            {
                var correct = Key[text] != (Flipped?.Contains(text) ?? false);
                right += correct ? 1 : 0;
                answer.Add(new JsonObject { ["id"] = id, ["correct"] = correct, ["score"] = null });
            }

            return new JsonObject
            {
                ["items"] = answer,
                ["score"] = items.Count == 0 ? 0 : 100.0 * right / items.Count,
                ["grade"] = Grade,
                ["detail"] = "graded from the key",
            }.ToJsonString();
        }
    }

    /// <summary>Answers with <paramref name="Content"/> as the message's content, whatever it is.</summary>
    public sealed record Raw(string Content, string FinishReason = "stop") : JudgeBehaviour;

    /// <summary>Never answers.</summary>
    public sealed record Hang : JudgeBehaviour;

    /// <summary>Answers with an HTTP error.</summary>
    public sealed record Status(int Code) : JudgeBehaviour;
}
