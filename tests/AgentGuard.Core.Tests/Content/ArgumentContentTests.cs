using System.Text;
using System.Text.Json;
using AgentGuard.Infrastructure;

namespace AgentGuard.Content;

public sealed class ArgumentContentTests
{
    private static JsonElement StringValue(string text) => Json.Parse(JsonSerializer.Serialize(text));

    [Theory]
    [InlineData(ContentEncoding.Auto)]
    [InlineData(ContentEncoding.Base64)]
    public void Sniff_Base64OfWeights_RecognisesThem(ContentEncoding encoding)
    {
        var value = StringValue(Convert.ToBase64String(ModelFiles.Safetensors(256)));

        Assert.Equal(ModelFormat.Safetensors, ArgumentContent.Sniff(value, encoding));
    }

    [Fact]
    public void Sniff_Base64WithEscapedPlusAndSlash_RecognisesThem()
    {
        // System.Text.Json writes '+' as \u002B; other encoders write '/' as \/.
        var base64 = Convert.ToBase64String(ModelFiles.Gguf(4096));
        Assert.Contains('+', base64);
        var json = "\"" + base64.Replace("+", "\\u002B", StringComparison.Ordinal).Replace("/", "\\/", StringComparison.Ordinal) + "\"";

        Assert.Equal(ModelFormat.Gguf, ArgumentContent.Sniff(Json.Parse(json), ContentEncoding.Auto));
    }

    [Fact]
    public void Sniff_Base64WithMimeLineBreaks_RecognisesThem()
    {
        var base64 = Convert.ToBase64String(ModelFiles.NumPy(4096), Base64FormattingOptions.InsertLineBreaks);
        Assert.Contains('\n', base64);

        Assert.Equal(ModelFormat.NumPy, ArgumentContent.Sniff(StringValue(base64), ContentEncoding.Auto));
    }

    [Fact]
    public void Sniff_Base64OfWeightsLargerThanTheWindow_RecognisesThemWithoutDecodingTheRest()
    {
        var value = StringValue(Convert.ToBase64String(ModelFiles.Onnx(4 << 20)));
        ArgumentContent.Sniff(value, ContentEncoding.Auto); // the pool's buffers, once

        var before = GC.GetAllocatedBytesForCurrentThread();
        var format = ArgumentContent.Sniff(value, ContentEncoding.Auto);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ModelFormat.Onnx, format);
        Assert.True(allocated < 64 * 1024, $"sniffing 4 MiB of base64 allocated {allocated} bytes");
    }

    [Fact]
    public void Sniff_EscapedBase64LargerThanTheWindow_RecognisesIt()
    {
        var json = "\"" + Convert.ToBase64String(ModelFiles.Safetensors(1 << 20)).Replace("+", "\\u002B", StringComparison.Ordinal) + "\"";

        Assert.Equal(ModelFormat.Safetensors, ArgumentContent.Sniff(Json.Parse(json), ContentEncoding.Base64));
    }

    [Fact]
    public void Sniff_TextEncodingOfBase64_DoesNotDecodeIt()
    {
        var value = StringValue(Convert.ToBase64String(ModelFiles.Safetensors(256)));

        Assert.Null(ArgumentContent.Sniff(value, ContentEncoding.Text));
    }

    [Fact]
    public void Sniff_TextThatIsWeights_RecognisesItsUtf8Bytes()
    {
        // An ASCII-only header (the tensor bytes aside): a safetensors header is text after its length.
        var bytes = ModelFiles.Safetensors(0);
        var text = Encoding.Latin1.GetString(bytes);
        Assert.True(Ascii.IsValid(bytes));

        Assert.Equal(ModelFormat.Safetensors, ArgumentContent.Sniff(StringValue(text), ContentEncoding.Auto));
        Assert.Equal(ModelFormat.Safetensors, ArgumentContent.Sniff(StringValue(text), ContentEncoding.Text));
        Assert.Null(ArgumentContent.Sniff(StringValue(text), ContentEncoding.Base64));
    }

    [Theory]
    [InlineData("Final score: 60%")]
    [InlineData("name,department\nAlice,Research\n")]
    [InlineData("QUJDREVGR0hJSktMTU5PUA==")] // base64 of text
    [InlineData("abcdabcdabcdabcd")] // valid base64 that decodes to nothing
    [InlineData("")]
    public void Sniff_ContentThatIsNotWeights_RecognisesNothing(string text)
    {
        Assert.Null(ArgumentContent.Sniff(StringValue(text), ContentEncoding.Auto));
    }

    [Theory]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("{\"data\":\"x\"}")]
    public void Sniff_ValueThatIsNotAString_RecognisesNothing(string json)
    {
        Assert.Null(ArgumentContent.Sniff(Json.Parse(json), ContentEncoding.Auto));
    }

    [Theory]
    [InlineData("\"\\ud83d\"")] // a lone surrogate escape
    [InlineData("\"\\ud83d\\ude00\\u0000\\\"\\\\\\n\"")]
    [InlineData("\"AAAA\\u002BAAA=AAA\"")] // padding in the middle
    public void Sniff_OddlyEscapedValues_NeverThrow(string json)
    {
        Assert.Null(ArgumentContent.Sniff(Json.Parse(json), ContentEncoding.Auto));
    }
}
