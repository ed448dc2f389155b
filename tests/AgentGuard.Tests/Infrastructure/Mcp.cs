using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace AgentGuard.Infrastructure;

/// <summary>Raw MCP Streamable HTTP requests, for tests that need to control every byte.</summary>
internal static class Mcp
{
    public static Task<HttpResponseMessage> PostAsync(HttpClient http, Uri endpoint, string body, Action<HttpRequestMessage>? configure = null)
        => PostAsync(http, endpoint, Encoding.UTF8.GetBytes(body), configure);

    public static Task<HttpResponseMessage> PostAsync(HttpClient http, Uri endpoint, byte[] body, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        configure?.Invoke(request);
        return http.SendAsync(request);
    }

    /// <summary>The JSON-RPC messages of a response, whether it came as JSON or as SSE events.</summary>
    public static async Task<List<JsonElement>> ReadMessagesAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var messages = new List<JsonElement>();
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            foreach (var line in text.Split('\n'))
            {
                if (line.StartsWith("data:", StringComparison.Ordinal) && line.Length > 5)
                {
                    Add(JsonDocument.Parse(line[5..]).RootElement.Clone(), messages);
                }
            }
        }
        else if (text.Length > 0)
        {
            Add(JsonDocument.Parse(text).RootElement.Clone(), messages);
        }

        return messages;

        static void Add(JsonElement element, List<JsonElement> messages)
        {
            if (element.ValueKind == JsonValueKind.Array)
            {
                messages.AddRange(element.EnumerateArray());
            }
            else
            {
                messages.Add(element);
            }
        }
    }
}
