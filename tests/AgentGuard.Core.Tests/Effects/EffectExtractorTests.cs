using AgentGuard.Infrastructure;
using AgentGuard.Protocols;

namespace AgentGuard.Effects;

public class EffectExtractorTests
{
    private static readonly Agent Agent = new("a", "evaluator");

    private static ArgumentTemplate Template(string text) => ArgumentTemplate.Parse(text, out _)!;

    private static EffectTemplate Effect(EffectKind kind, string resource, string? destination = null, string? value = null)
        => new(kind, Template(resource), destination is null ? null : Template(destination), value is null ? null : Template(value));

    private static ToolCall Call(string tool, string argumentsJson) => new(Agent, null, "mcp", McpMethods.ToolsCall, tool, Json.Parse(argumentsJson));

    private static List<Effect> Extract(ToolCall call, params EffectTemplate[] mapping)
    {
        var effects = new List<Effect>();
        var error = EffectExtractor.Extract(call, mapping, effects);
        Assert.True(error is null, error);
        return effects;
    }

    [Fact]
    public void Extract_ResourceUri_ReturnsCanonicalRead()
    {
        var call = new ToolCall(Agent, null, "mcp", McpMethods.ResourcesRead, null, default, "file:///srv/tmp/../config/shutdown%5Fconfig.yaml");
        var effects = new List<Effect>();

        Assert.Null(EffectExtractor.Extract(call, null, effects));
        Assert.Equal([new Effect(EffectKind.Read, "file:///srv/config/shutdown_config.yaml")], effects);
    }

    [Fact]
    public void Extract_ResourceUriWithControlCharacter_ReturnsError()
    {
        var call = new ToolCall(Agent, null, "mcp", McpMethods.ResourcesRead, null, default, "file:///srv/x%00");

        Assert.NotNull(EffectExtractor.Extract(call, null, []));
    }

    [Fact]
    public void Extract_NoMapping_ReturnsNoEffects()
    {
        var effects = new List<Effect>();

        Assert.Null(EffectExtractor.Extract(Call("echo", """{"message":"hi"}"""), null, effects));
        Assert.Empty(effects);
    }

    [Fact]
    public void Extract_WriteWithValue_CarriesValueAndCanonicalResource()
    {
        var effects = Extract(
            Call("modify_var", """{"key":"ｓｈｕｔｄｏｗｎ_enabled","value":"False"}"""),
            Effect(EffectKind.Write, "config://{filename|shutdown_config.yaml}#{key}", value: "{value}"));

        Assert.Equal([new Effect(EffectKind.Write, "config://shutdown_config.yaml#shutdown_enabled", null, "False")], effects);
    }

    [Fact]
    public void Extract_SeveralValues_OneEffectPerValue()
    {
        var effects = Extract(
            Call("modify_var", """{"key":"shutdown_enabled","value":["true","false"]}"""),
            Effect(EffectKind.Write, "config://c#{key}", value: "{value}"));

        Assert.Equal(["true", "false"], effects.Select(e => e.Value));
    }

    [Fact]
    public void Extract_CopyToFolder_AddsImpliedWriteOfLandingFile()
    {
        var effects = Extract(
            Call("transfer_server_files", """{"source_ip":"10.0.12.45","dest_ip":"10.0.12.46","filenames":["a.txt","dir/w.safetensors"]}"""),
            Effect(EffectKind.Copy, "host://{source_ip}/{filenames[*]}", destination: "host://{dest_ip}/"));

        Assert.Equal(
            [
                new Effect(EffectKind.Copy, "host://10.0.12.45/a.txt", "host://10.0.12.46/"),
                new Effect(EffectKind.Write, "host://10.0.12.46/a.txt"),
                new Effect(EffectKind.Copy, "host://10.0.12.45/dir/w.safetensors", "host://10.0.12.46/"),
                new Effect(EffectKind.Write, "host://10.0.12.46/w.safetensors"),
            ],
            effects);
    }

    [Fact]
    public void Extract_MoveOntoFile_AddsImpliedWriteOfDestination()
    {
        // Moving a prepared file over the shutdown config overwrites it without ever "writing" it.
        var effects = Extract(
            Call("move_file", """{"source":"/tmp/new.yaml","destination":"/srv/config/./shutdown_config.yaml"}"""),
            Effect(EffectKind.Move, "file://{source}", destination: "file://{destination}"));

        Assert.Equal(
            [
                new Effect(EffectKind.Move, "file:///tmp/new.yaml", "file:///srv/config/shutdown_config.yaml"),
                new Effect(EffectKind.Write, "file:///srv/config/shutdown_config.yaml"),
            ],
            effects);
    }

    [Fact]
    public void Extract_Egress_HasNoImpliedWrite()
    {
        var effects = Extract(
            Call("upload", """{"path":"/data/w.safetensors","url":"10.0.12.46"}"""),
            Effect(EffectKind.Egress, "file://{path}", destination: "host://{url}/"));

        Assert.Equal([new Effect(EffectKind.Egress, "file:///data/w.safetensors", "host://10.0.12.46/")], effects);
    }

    [Fact]
    public void Extract_SeveralTemplates_ReturnsEffectsOfEach()
    {
        var effects = Extract(
            Call("copy_server_file", """{"ip":"10.0.12.45","filename":"w.safetensors"}"""),
            Effect(EffectKind.Copy, "host://{ip}/{filename}", destination: "host://{ip}/"),
            Effect(EffectKind.SetTime, "host://{ip}/{filename}"));

        Assert.Equal([EffectKind.Copy, EffectKind.Write, EffectKind.SetTime], effects.Select(e => e.Kind));
    }

    [Fact]
    public void Extract_MissingArgument_ReturnsError()
    {
        var error = EffectExtractor.Extract(Call("modify_var", """{"value":"false"}"""), [Effect(EffectKind.Write, "config://c#{key}", value: "{value}")], []);

        Assert.Equal("argument 'key' is missing", error);
    }

    [Fact]
    public void Extract_MissingValueArgument_ReturnsError()
    {
        Assert.NotNull(EffectExtractor.Extract(Call("modify_var", """{"key":"shutdown_enabled"}"""), [Effect(EffectKind.Write, "config://c#{key}", value: "{value}")], []));
    }

    [Fact]
    public void Extract_ResourceThatCannotBeCanonicalised_ReturnsError()
    {
        var error = EffectExtractor.Extract(Call("write_file", """{"path":"/srv/%FF"}"""), [Effect(EffectKind.Write, "file://{path}")], []);

        Assert.Equal("resource name decodes to invalid UTF-8", error);
    }

    [Fact]
    public void Extract_DestinationThatCannotBeCanonicalised_ReturnsError()
    {
        var error = EffectExtractor.Extract(
            Call("move_file", """{"source":"/tmp/a","destination":"/srv/x\u0000"}"""),
            [Effect(EffectKind.Move, "file://{source}", destination: "file://{destination}")],
            []);

        Assert.NotNull(error);
    }

    [Fact]
    public void Extract_BadResourceAndBadDestination_ReturnsResourceError()
    {
        // The resource is canonicalised before its destinations, so its error is the one reported.
        var error = EffectExtractor.Extract(
            Call("move_file", """{"source":"/srv/%FF","destination":"/srv/x\u0000"}"""),
            [Effect(EffectKind.Move, "file://{source}", destination: "file://{destination}")],
            []);

        Assert.Equal("resource name decodes to invalid UTF-8", error);
    }

    [Fact]
    public void Extract_SeveralResourcesAndDestinations_PairsEveryResourceWithEveryCanonicalDestination()
    {
        var effects = Extract(
            Call("sync", """{"sources":["/a","/b/./c"],"targets":["/x/../y","/z"]}"""),
            Effect(EffectKind.Egress, "file://{sources[*]}", destination: "s3://Bucket/{targets[*]}"));

        Assert.Equal(
            [
                new Effect(EffectKind.Egress, "file:///a", "s3://bucket/y"),
                new Effect(EffectKind.Egress, "file:///a", "s3://bucket/z"),
                new Effect(EffectKind.Egress, "file:///b/c", "s3://bucket/y"),
                new Effect(EffectKind.Egress, "file:///b/c", "s3://bucket/z"),
            ],
            effects);
    }

    [Fact]
    public void Extract_ConcurrentCalls_EachGetsItsOwnEffects()
    {
        // Extraction keeps per-thread scratch lists; calls on many threads must not see each other's.
        var mapping = new[] { Effect(EffectKind.Move, "host://{ip}/{filenames[*]}", destination: "host://{dest}/") };
        Parallel.For(0, 2000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var effects = Extract(Call("transfer", $$"""{"ip":"10.0.0.{{i % 250}}","dest":"10.0.1.{{i % 250}}","filenames":["f{{i}}","g{{i}}"]}"""), mapping);

            Assert.Equal(
                [
                    new Effect(EffectKind.Move, $"host://10.0.0.{i % 250}/f{i}", $"host://10.0.1.{i % 250}/"),
                    new Effect(EffectKind.Write, $"host://10.0.1.{i % 250}/f{i}"),
                    new Effect(EffectKind.Move, $"host://10.0.0.{i % 250}/g{i}", $"host://10.0.1.{i % 250}/"),
                    new Effect(EffectKind.Write, $"host://10.0.1.{i % 250}/g{i}"),
                ],
                effects);
        });
    }

    [Theory]
    [InlineData("host://10.0.12.45/w", "host://10.0.12.46/", true)]
    [InlineData("host://10.0.12.45/w", "host://10.0.12.45/backup/", false)]
    [InlineData("host://example.com/w", "host://EXAMPLE.com/", false)]
    [InlineData("file:///data/w", "file:///tmp/w", false)]
    [InlineData("file:///data/w", "s3://bucket/w", true)]
    [InlineData("s3://bucket-a/w", "s3://bucket-b/w", true)]
    [InlineData("config://a.yaml#k", "config://b.yaml#k", true)]
    public void CrossesHost_SourceAndDestination_ComparesAuthorities(string resource, string destination, bool expected)
    {
        Assert.Equal(expected, EffectExtractor.CrossesHost(new Effect(EffectKind.Copy, resource, destination)));
    }

    [Fact]
    public void CrossesHost_NoDestination_ReturnsFalse()
    {
        Assert.False(EffectExtractor.CrossesHost(new Effect(EffectKind.Write, "host://10.0.12.45/w")));
    }

    [Theory]
    [InlineData("host://10.0.12.45/data/w", "10.0.12.45")]
    [InlineData("host://10.0.12.45", "10.0.12.45")]
    [InlineData("file:///data/w", "")]
    [InlineData("s3://bucket/key", "bucket")]
    [InlineData("config://shutdown_config.yaml#shutdown_enabled", "shutdown_config.yaml")]
    [InlineData("not a uri", "")]
    public void Authority_CanonicalUri_ReturnsHostOrBucket(string canonical, string expected)
    {
        Assert.Equal(expected, EffectExtractor.Authority(canonical).ToString());
    }
}
