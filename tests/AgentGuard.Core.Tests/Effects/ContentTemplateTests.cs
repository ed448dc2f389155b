using AgentGuard.Content;
using AgentGuard.Infrastructure;
using AgentGuard.Protocols;

namespace AgentGuard.Effects;

public sealed class ContentTemplateTests
{
    private static readonly Agent Agent = new("a", "evaluator");

    private static EffectTemplate WriteWithContent(string content, ContentEncoding encoding = ContentEncoding.Auto)
        => new(EffectKind.Write, ArgumentTemplate.Parse("file://{path}", out _)!, null, null)
        {
            Content = new ContentTemplate(ArgumentTemplate.Parse(content, out _)!, encoding),
        };

    private static List<Effect> Extract(string argumentsJson, params EffectTemplate[] mapping)
    {
        var call = new ToolCall(Agent, null, "mcp", McpMethods.ToolsCall, "write_file", Json.Parse(argumentsJson));
        var effects = new List<Effect>();
        var error = EffectExtractor.Extract(call, mapping, effects);
        Assert.True(error is null, error);
        return effects;
    }

    [Fact]
    public void Extract_ContentThatIsWeights_SetsTheEffectsFormat()
    {
        var content = Convert.ToBase64String(ModelFiles.Gguf(128));

        var effects = Extract($$"""{"path":"/data/q3_notes.bin","content":"{{content}}"}""", WriteWithContent("{content}"));

        Assert.Equal([new Effect(EffectKind.Write, "file:///data/q3_notes.bin", Format: ModelFormat.Gguf)], effects);
    }

    [Fact]
    public void Extract_ContentThatIsText_LeavesTheFormatUnset()
    {
        var effects = Extract("""{"path":"/data/q3_notes.txt","content":"Revenue grew 4%."}""", WriteWithContent("{content}"));

        Assert.Null(Assert.Single(effects).Format);
    }

    [Fact]
    public void Extract_ContentArgumentInAnotherCase_IsSniffedToo()
    {
        // Binding errs towards more values: a lenient server may read "Content" as "content".
        var content = Convert.ToBase64String(ModelFiles.NumPy(128));

        var effects = Extract($$"""{"path":"/data/a.bin","Content":"{{content}}"}""", WriteWithContent("{content}"));

        Assert.Equal(ModelFormat.NumPy, Assert.Single(effects).Format);
    }

    [Fact]
    public void Extract_ContentsInAnArray_AnyWeightsSetTheFormat()
    {
        var weights = Convert.ToBase64String(ModelFiles.Hdf5(128));

        var effects = Extract($$$"""{"path":"/data/a.bin","file":{"parts":["hello","{{{weights}}}"]}}""", WriteWithContent("{file.parts[*]}"));

        Assert.Equal(ModelFormat.Hdf5, Assert.Single(effects).Format);
    }

    [Fact]
    public void Extract_ContentMissing_LeavesTheFormatUnset()
    {
        var effects = Extract("""{"path":"/data/a.bin"}""", WriteWithContent("{content}"));

        Assert.Null(Assert.Single(effects).Format);
    }

    [Fact]
    public void Extract_MoreContentsThanTheLimit_FailsRatherThanSkipping()
    {
        var many = string.Join(',', Enumerable.Repeat("\"x\"", ArgumentTemplate.MaxExpansions + 1));
        var call = new ToolCall(Agent, null, "mcp", McpMethods.ToolsCall, "write_file", Json.Parse($$"""{"path":"/a","content":[{{many}}]}"""));

        Assert.NotNull(EffectExtractor.Extract(call, [WriteWithContent("{content}")], []));
    }
}
