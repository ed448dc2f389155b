using System.Text.Json;
using AgentGuard.Audit;
using AgentGuard.Policy;

namespace AgentGuard.Sessions;

public sealed class CallArgumentsTests
{
    private static readonly AuditRedactor Redactor = new(["password", "token"]);

    private static CallArguments Of(string json)
    {
        // The arguments of a decoded call, read after the request's document is gone.
        using var document = JsonDocument.Parse("{\"params\":{\"arguments\":" + json + "}}");
        return CallArguments.Of(document.RootElement.GetProperty("params").GetProperty("arguments"), Redactor);
    }

    [Fact]
    public void Text_SecretMembersAndInlineCredentials_Redacted()
        => Assert.Equal(
            """{"host":"db","password":"[redacted]","command":"psql --password=[redacted] -h db"}""",
            Of("""{"host":"db","password":"hunter2","command":"psql --password=hunter2 -h db"}""").Text);

    [Fact]
    public void Text_NoArguments_EmptyObject()
        => Assert.Equal("{}", CallArguments.Of(default, Redactor).Text);

    [Fact]
    public void Text_ReadByManyThreadsAtOnce_OneTextForAll()
    {
        var arguments = Of("""{"path":"/srv/eval/factual_samples.txt","token":"abc"}""");
        var texts = new string[8];
        Parallel.For(0, texts.Length, i => texts[i] = arguments.Text);
        Assert.All(texts, text => Assert.Equal("""{"path":"/srv/eval/factual_samples.txt","token":"[redacted]"}""", text));
    }

    [Fact]
    public void SessionCall_RoundTripsAsJson_WithTheRedactedText()
    {
        var call = new SessionCall(DateTimeOffset.UnixEpoch, "submit_score", Of("""{"score":80,"token":"abc"}"""), DecisionKind.Allow, "ref-1");
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var json = JsonSerializer.Serialize(call, options);
        Assert.Contains("\"arguments\":\"{\\u0022score\\u0022:80,\\u0022token\\u0022:\\u0022[redacted]\\u0022}\"", json, StringComparison.Ordinal);
        Assert.Equal(call, JsonSerializer.Deserialize<SessionCall>(json, options));
    }
}
