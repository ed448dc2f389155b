using AgentGuard.Effects;
using static AgentGuard.Protocols.S3.S3Requests;

namespace AgentGuard.Protocols.S3;

public class S3DecoderTests
{
    public static TheoryData<string, string> BothStyles => new()
    {
        { "s3.amazonaws.com", "/model-weights/" },
        { "model-weights.s3.amazonaws.com", "/" },
        { "model-weights.s3.us-east-1.amazonaws.com", "/" },
        { "model-weights.s3-us-west-2.amazonaws.com", "/" },
        { "model-weights.s3.dualstack.eu-west-1.amazonaws.com", "/" },
        { "s3.us-east-1.amazonaws.com", "/model-weights/" },
        { "localhost:4568", "/model-weights/" },
        { "127.0.0.1:9000", "/model-weights/" },
        { "model-weights.minio.internal:9000", "/" },
        { "MODEL-WEIGHTS.S3.AMAZONAWS.COM", "/" },
    };

    [Theory]
    [MemberData(nameof(BothStyles))]
    public void Decode_GetObject_ReadsTheObject(string host, string prefix)
    {
        var (operation, effects) = Decoded("GET", host, prefix + "llama/model.safetensors");

        Assert.Equal(new S3Operation("GetObject", "model-weights", "llama/model.safetensors", S3BodyUse.None), operation);
        Assert.Equal([new Effect(EffectKind.Read, "s3://model-weights/llama/model.safetensors")], effects);
    }

    [Theory]
    [MemberData(nameof(BothStyles))]
    public void Decode_PutObject_WritesTheObjectAndAsksForItsContent(string host, string prefix)
    {
        var (operation, effects) = Decoded("PUT", host, prefix + "q3_notes.bin");

        Assert.Equal(new S3Operation("PutObject", "model-weights", "q3_notes.bin", S3BodyUse.Content), operation);
        Assert.Equal([new Effect(EffectKind.Write, "s3://model-weights/q3_notes.bin")], effects);
    }

    [Theory]
    [MemberData(nameof(BothStyles))]
    public void Decode_CopyObject_CopiesFromTheSourceAndWritesTheDestination(string host, string prefix)
    {
        var (operation, effects) = Decoded("PUT", host, prefix + "copy.bin", ("x-amz-copy-source", "source-bucket/weights/model.safetensors"));

        Assert.Equal(new S3Operation("CopyObject", "model-weights", "copy.bin", S3BodyUse.None), operation);
        Assert.Equal(
            [
                new Effect(EffectKind.Copy, "s3://source-bucket/weights/model.safetensors", "s3://model-weights/copy.bin"),
                new Effect(EffectKind.Write, "s3://model-weights/copy.bin"),
            ],
            effects);
    }

    [Theory]
    [MemberData(nameof(BothStyles))]
    public void Decode_DeleteObject_DeletesTheObject(string host, string prefix)
    {
        var (operation, effects) = Decoded("DELETE", host, prefix + "model.safetensors");

        Assert.Equal("DeleteObject", operation.Name);
        Assert.Equal([new Effect(EffectKind.Delete, "s3://model-weights/model.safetensors")], effects);
    }

    [Fact]
    public void Decode_HeadObject_ReadsTheObject()
    {
        var (operation, effects) = Decoded("HEAD", "s3.amazonaws.com", "/b-1/k");

        Assert.Equal("HeadObject", operation.Name);
        Assert.Equal([new Effect(EffectKind.Read, "s3://b-1/k")], effects);
    }
}
