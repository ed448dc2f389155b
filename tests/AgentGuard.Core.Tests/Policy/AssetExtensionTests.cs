using AgentGuard.Content;
using AgentGuard.Effects;
using AgentGuard.Infrastructure;
using AgentGuard.Protocols;

namespace AgentGuard.Policy;

/// <summary>A team lists its own stores in a file of its own: <c>extends: true</c> adds to an asset defined elsewhere.</summary>
public class AssetExtensionTests
{
    private const string Base = """
        assets:
          model-weights:
            resources: ["**/*.safetensors"]
        tools:
          put:
            - { kind: write, resource: "{uri}" }
        rules:
          - id: weights-write
            when: { kind: write, asset: model-weights }
            decision: deny
            finding: { category: weight-tampering, severity: high }
        """;

    private const string Extension = """
        assets:
          model-weights:
            extends: true
            resources: ["s3://prod-weights/**"]
            formats: [gguf]
        """;

    private static Decision Put(PolicySet policy, string uri)
        => PolicyEngine.Decide(policy, new ToolCall(new Agent("a", "r"), null, "mcp", McpMethods.ToolsCall, "put", Json.Parse($$"""{"uri":"{{uri}}"}""")));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Adds_resources_and_formats_from_another_file_in_either_order(bool extensionFirst)
    {
        (string, string)[] sources = extensionFirst ? [("teams.yaml", Extension), ("base.yaml", Base)] : [("base.yaml", Base), ("teams.yaml", Extension)];
        var result = PolicyLoader.Compile(sources);
        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        var policy = result.Policy!;

        Assert.Equal(["**/*.safetensors", "s3://prod-weights/**"], Assert.Single(policy.Assets).Resources);
        Assert.True(Put(policy, "s3://prod-weights/q3.bin").IsDenied);
        Assert.True(Put(policy, "file:///x/w.safetensors").IsDenied);
        Assert.False(Put(policy, "s3://other/q3.bin").IsDenied);
        Assert.NotEqual(0UL, policy.FormatAssetMask(ModelFormat.Gguf));
    }

    [Fact]
    public void Extending_an_asset_no_file_defines_is_an_error()
    {
        var result = PolicyLoader.Compile([("teams.yaml", Extension)]);
        Assert.Contains(result.Errors, e => e.Message.Contains("extends no asset", StringComparison.Ordinal) && e.File == "teams.yaml");
    }

    [Theory]
    [InlineData("extends: true\n    description: mine\n    resources: [\"a\"]", "description")]
    [InlineData("extends: true", "with nothing")]
    [InlineData("extends: maybe\n    resources: [\"a\"]", "extends")]
    public void Bad_extensions_are_clear_errors(string body, string expected)
    {
        var result = PolicyLoader.Compile([("base.yaml", Base), ("teams.yaml", "assets:\n  model-weights:\n    " + body + "\n")]);
        Assert.Contains(result.Errors, e => e.Message.Contains(expected, StringComparison.Ordinal));
    }
}
