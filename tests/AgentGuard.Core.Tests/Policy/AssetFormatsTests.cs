using AgentGuard.Content;
using AgentGuard.Effects;
using AgentGuard.Infrastructure;

namespace AgentGuard.Policy;

/// <summary>An asset's <c>formats:</c> and a mapping's <c>content:</c>: weights known by their bytes.</summary>
public sealed class AssetFormatsTests
{
    private const string Policy = """
        assets:
          model-weights:
            resources: ["**/*.safetensors"]
            formats: [safetensors, gguf, pytorch, numpy, onnx, hdf5]
          reports:
            resources: ["**/reports/**"]
        tools:
          write_file:
            - { kind: write, resource: "file://{path}", content: "{content}" }
          upload:
            - { kind: egress, resource: "file://{path}", destination: "https://{host}/", content: "{data}", encoding: base64 }
        rules:
          - id: weights-write
            when: { kind: [write, copy, move], asset: model-weights }
            decision: deny
            finding: { category: weight-tampering, severity: high }
          - id: weights-egress
            when: { kind: egress, asset: model-weights }
            decision: deny
            finding: { category: weight-exfiltration, severity: critical }
          - id: weights-landing
            when: { kind: copy, destination_asset: model-weights }
            decision: flag
            finding: { category: weight-copy, severity: low }
        """;

    private static readonly PolicySet Compiled = TestPolicies.Compile(Policy);

    [Theory]
    [InlineData("safetensors")]
    [InlineData("gguf")]
    [InlineData("pytorch")]
    [InlineData("numpy")]
    [InlineData("onnx")]
    [InlineData("hdf5")]
    public void Decide_WeightsWrittenUnderANeutralName_DeniesAsWeights(string file)
    {
        var content = Convert.ToBase64String(ModelFiles.Build(file));

        var decision = McpCalls.Decide(Compiled, McpCalls.ToolsCall("write_file", $$"""{"path":"/data/q3_notes.bin","content":"{{content}}"}"""));

        Assert.Equal((DecisionKind.Deny, "weights-write"), (decision.Kind, decision.RuleId));
    }

    [Theory]
    [InlineData("text")]
    [InlineData("csv")]
    [InlineData("pdf")]
    [InlineData("plain-zip")]
    public void Decide_OtherContentUnderANeutralName_Allows(string file)
    {
        var content = Convert.ToBase64String(ModelFiles.Build(file));

        var decision = McpCalls.Decide(Compiled, McpCalls.ToolsCall("write_file", $$"""{"path":"/data/q3_notes.bin","content":"{{content}}"}"""));

        Assert.Equal(DecisionKind.Allow, decision.Kind);
    }

    [Fact]
    public void Decide_WeightsSentByEgress_DeniesAsExfiltration()
    {
        var content = Convert.ToBase64String(ModelFiles.PyTorch(128));

        var decision = McpCalls.Decide(Compiled, McpCalls.ToolsCall("upload", $$"""{"path":"/tmp/x","host":"files.example","data":"{{content}}"}"""));

        Assert.Equal((DecisionKind.Deny, "weights-egress"), (decision.Kind, decision.RuleId));
    }

    [Fact]
    public void AssetMasks_CopyOfRecognisedContent_PutsTheDestinationInTheAsset()
    {
        var effect = new Effect(EffectKind.Copy, "file:///tmp/a.bin", "file:///tmp/b.bin", Format: ModelFormat.Gguf);

        var (resource, cover, destination) = PolicyEngine.AssetMasks(Compiled, effect);

        Assert.Equal((1UL, 1UL, 1UL), (resource, cover, destination));
    }

    [Fact]
    public void AssetMasks_EgressOfRecognisedContent_LeavesTheDestinationAlone()
    {
        var effect = new Effect(EffectKind.Egress, "file:///tmp/a.bin", "https://files.example/", Format: ModelFormat.Onnx);

        Assert.Equal((1UL, 1UL, 0UL), PolicyEngine.AssetMasks(Compiled, effect));
    }

    [Fact]
    public void AssetMasks_FormatNoAssetLists_AddsNothing()
    {
        var policy = TestPolicies.Compile("""
            assets:
              model-weights: { resources: ["**/*.gguf"], formats: [gguf] }
            """);
        var effect = new Effect(EffectKind.Write, "file:///tmp/a.bin", Format: ModelFormat.NumPy);

        Assert.Equal((0UL, 0UL, 0UL), PolicyEngine.AssetMasks(policy, effect));
    }

    [Fact]
    public void Compile_Formats_AreOnTheAsset()
    {
        Assert.Equal(
            [ModelFormat.Safetensors, ModelFormat.Gguf, ModelFormat.PyTorch, ModelFormat.NumPy, ModelFormat.Onnx, ModelFormat.Hdf5],
            Compiled.Assets[0].Formats);
        Assert.Empty(Compiled.Assets[1].Formats);
    }

    [Fact]
    public void Compile_UnknownFormat_ReportsItWithTheKnownOnes()
    {
        var result = TestPolicies.CompileErrors("""
            assets:
              w:
                resources: ["**/*.pt"]
                formats: [safetensors, tflite]
            """);

        var error = AssertError(result, 4, "asset 'w': format 'tflite' is unknown; use one of: safetensors, gguf, pytorch, numpy, onnx, hdf5");
        Assert.Equal("test.yaml", error.File);
    }

    [Fact]
    public void Compile_ContentThatIsNotOneArgument_ReportsIt()
    {
        var result = TestPolicies.CompileErrors("""
            tools:
              write_file:
                - { kind: write, resource: "file://{path}", content: "data:{content}" }
            """);

        AssertError(result, 3, "tool 'write_file' effect content: 'data:{content}' is not one argument");
    }

    [Fact]
    public void Compile_ContentOnARead_ReportsIt()
    {
        var result = TestPolicies.CompileErrors("""
            tools:
              read_file:
                - { kind: read, resource: "file://{path}", content: "{content}" }
            """);

        AssertError(result, 3, "tool 'read_file' effect: only write and egress effects carry content");
    }

    [Fact]
    public void Compile_UnknownEncoding_ReportsIt()
    {
        var result = TestPolicies.CompileErrors("""
            tools:
              write_file:
                - { kind: write, resource: "file://{path}", content: "{content}", encoding: hex }
            """);

        AssertError(result, 3, "encoding 'hex' is unknown; use one of: auto, text, base64");
    }

    [Fact]
    public void Compile_EncodingWithoutContent_ReportsIt()
    {
        var result = TestPolicies.CompileErrors("""
            tools:
              write_file:
                - { kind: write, resource: "file://{path}", encoding: base64 }
            """);

        AssertError(result, 3, "encoding says how 'content' is carried");
    }

    private static PolicyError AssertError(PolicyLoadResult result, int line, string contains)
    {
        var error = Assert.Single(result.Errors, e => e.Message.Contains(contains, StringComparison.Ordinal));
        Assert.Equal(line, error.Line);
        return error;
    }
}
