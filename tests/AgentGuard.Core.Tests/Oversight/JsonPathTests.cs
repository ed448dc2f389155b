namespace AgentGuard.Oversight;

public class JsonPathTests
{
    [Theory]
    [InlineData("system_id", """{"system_id":"gemini_agent_2"}""", "gemini_agent_2")]
    [InlineData("$.a.b[1]", """{"a":{"b":[1,2.5]}}""", "2.5")]
    [InlineData("$['file name']", """{"file name":"r.txt"}""", "r.txt")]
    [InlineData("$.missing", """{"a":1}""", null)]
    [InlineData("$.a", "not json", null)]
    [InlineData("$.a[3]", """{"a":[1]}""", null)]
    public void Select_ReadsOneValue(string path, string json, string? expected)
        => Assert.Equal(expected, JsonPath.Parse(path, out _)!.Select(json));

    [Theory]
    [InlineData("$.a[*]")]
    [InlineData("$..a")]
    [InlineData("$.a[")]
    [InlineData("$")]
    [InlineData("$.a[?(@.b)]")]
    public void Parse_Unsupported_ReturnsError(string path)
    {
        Assert.Null(JsonPath.Parse(path, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
