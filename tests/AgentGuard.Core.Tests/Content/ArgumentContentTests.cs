using System.Text;
using System.Text.Json;
using AgentGuard.Infrastructure;
using CsCheck;

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

    [Theory]
    [InlineData(256)]
    [InlineData(1 << 20)]
    public void Sniff_DataUrlOfWeights_RecognisesThem(int dataBytes)
    {
        var value = StringValue("data:application/octet-stream;base64," + Convert.ToBase64String(ModelFiles.PyTorch(dataBytes)));

        Assert.Equal(ModelFormat.PyTorch, ArgumentContent.Sniff(value, ContentEncoding.Auto));
        Assert.Equal(ModelFormat.PyTorch, ArgumentContent.Sniff(value, ContentEncoding.Base64));
    }

    [Theory]
    [InlineData(254)] // 862 bytes: unpadded, two characters short of a quantum
    [InlineData(255)] // 863 bytes: unpadded, one short
    [InlineData(1 << 20)] // longer than the window
    public void Sniff_Base64UrlOfWeights_RecognisesThem(int dataBytes)
    {
        var base64 = Convert.ToBase64String(ModelFiles.Hdf5(dataBytes, userBlock: 512));
        var base64Url = base64.TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.NotEqual(base64, base64Url);
        var value = StringValue(base64Url);

        Assert.Equal(ModelFormat.Hdf5, ArgumentContent.Sniff(value, ContentEncoding.Auto));
    }

    [Fact]
    public void Sniff_Base64WithBothAlphabets_IsNotBase64()
    {
        var base64 = Convert.ToBase64String(ModelFiles.Gguf(4096));
        var first = base64.IndexOf('+', StringComparison.Ordinal);
        Assert.True(first >= 0);
        var mixed = base64[..first] + "-" + base64[(first + 1)..];
        Assert.Contains('+', mixed);

        Assert.Null(ArgumentContent.Sniff(StringValue(mixed), ContentEncoding.Base64));
    }

    [Fact]
    public void Sniff_WeightsInAnyBase64Spelling_SniffsAsTheirBytesDo()
    {
        // Any format and size, in base64 or base64url, with '+' and '/' escaped or not and MIME line
        // breaks or not: the content sniffs as the file's own first bytes do.
        var cases = Gen.Select(Gen.Int[0, ModelFiles.Weights.Length - 1], Gen.Int[0, 3 * ModelFormatSniffer.Window], Gen.Int[0, 15]);
        cases.Sample((format, dataBytes, spelling) =>
        {
            var file = ModelFiles.Weights[format].Build(dataBytes);
            var base64 = Convert.ToBase64String(file, (spelling & 1) != 0 ? Base64FormattingOptions.InsertLineBreaks : Base64FormattingOptions.None);
            if ((spelling & 2) != 0)
            {
                base64 = base64.Replace("\r\n", string.Empty, StringComparison.Ordinal).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            }

            var json = JsonSerializer.Serialize(base64);
            if ((spelling & 4) != 0)
            {
                json = json.Replace("/", "\\/", StringComparison.Ordinal);
            }

            if ((spelling & 8) != 0)
            {
                json = json.Replace("\\u002B", "+", StringComparison.Ordinal);
            }

            var expected = ModelFormatSniffer.Sniff(file.AsSpan(0, Math.Min(file.Length, ModelFormatSniffer.Window)));
            return expected is not null && ArgumentContent.Sniff(Json.Parse(json), ContentEncoding.Auto) == expected;
        }, iter: 200);
    }

    [Fact]
    public void Sniff_RandomStrings_NeverThrow()
    {
        // Any text, and strings of base64 characters, padding, whitespace and escapes in any order.
        var base64ish = Gen.Char["ABCZabcz0129+/-_= \n\r\t:"].Array[0, 200].Select(c => new string(c));
        Gen.OneOf(Gen.String, base64ish).Sample(text =>
        {
            var value = StringValue(text);
            foreach (var encoding in Enum.GetValues<ContentEncoding>())
            {
                _ = ArgumentContent.Sniff(value, encoding);
            }
        }, iter: 5_000);
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
