using System.Buffers.Binary;
using AgentGuard.Infrastructure;
using CsCheck;

namespace AgentGuard.Content;

public sealed class ModelFormatSnifferTests
{
    public static TheoryData<string, ModelFormat> WeightsFiles => new()
    {
        { "safetensors", ModelFormat.Safetensors },
        { "gguf", ModelFormat.Gguf },
        { "pytorch", ModelFormat.PyTorch },
        { "pytorch-legacy", ModelFormat.PyTorch },
        { "numpy", ModelFormat.NumPy },
        { "onnx", ModelFormat.Onnx },
        { "hdf5", ModelFormat.Hdf5 },
        { "hdf5-user-block", ModelFormat.Hdf5 },
    };

    public static TheoryData<string> OtherFiles => [.. ModelFiles.Others.Select(o => o.Name)];

    [Theory]
    [MemberData(nameof(WeightsFiles))]
    public void Sniff_WeightsFile_RecognisesItsFormat(string file, ModelFormat format)
    {
        Assert.Equal(format, ModelFormatSniffer.Sniff(ModelFiles.Build(file)));
    }

    [Theory]
    [MemberData(nameof(WeightsFiles))]
    public void Sniff_WeightsFileLargerThanTheWindow_RecognisesItFromTheWindow(string file, ModelFormat format)
    {
        var content = ModelFiles.Build(file, dataBytes: 3 * ModelFormatSniffer.Window);

        Assert.True(content.Length > ModelFormatSniffer.Window);
        Assert.Equal(format, ModelFormatSniffer.Sniff(content.AsSpan(0, ModelFormatSniffer.Window)));
        Assert.Equal(format, ModelFormatSniffer.Sniff(content));
    }

    [Theory]
    [MemberData(nameof(OtherFiles))]
    public void Sniff_FileThatIsNotWeights_RecognisesNothing(string file)
    {
        Assert.Null(ModelFormatSniffer.Sniff(ModelFiles.Build(file)));
    }

    [Theory]
    [MemberData(nameof(WeightsFiles))]
    public void Sniff_WeightsTruncatedAtEveryLength_NeverThrows(string file, ModelFormat format)
    {
        var content = ModelFiles.Build(file, dataBytes: 2 * ModelFormatSniffer.Window);
        for (var length = 0; length <= ModelFormatSniffer.Window; length++)
        {
            var sniffed = ModelFormatSniffer.Sniff(content.AsSpan(0, length));
            Assert.True(sniffed is null || sniffed == format, $"{file} cut to {length} bytes was sniffed as {sniffed}");
        }
    }

    [Theory]
    [MemberData(nameof(OtherFiles))]
    public void Sniff_OtherFileTruncatedAtEveryLength_RecognisesNothing(string file)
    {
        var content = ModelFiles.Build(file);
        for (var length = 0; length <= content.Length; length++)
        {
            Assert.Null(ModelFormatSniffer.Sniff(content.AsSpan(0, length)));
        }
    }

    [Fact]
    public void Sniff_RandomBytes_NeverThrowsAndRecognisesNothing()
    {
        Gen.Byte.Array[0, 4096].Sample(bytes => ModelFormatSniffer.Sniff(bytes) is null, iter: 20_000);
    }

    [Theory]
    [MemberData(nameof(WeightsFiles))]
    public void Sniff_WeightsWithRandomBytesFlipped_NeverThrows(string file, ModelFormat format)
    {
        _ = format;
        var original = ModelFiles.Build(file, dataBytes: 256);
        Gen.Select(Gen.Int[0, original.Length - 1].Array[1, 8], Gen.Byte.Array[8]).Sample((positions, values) =>
        {
            var content = (byte[])original.Clone();
            for (var i = 0; i < positions.Length; i++)
            {
                content[positions[i]] = values[i];
            }

            _ = ModelFormatSniffer.Sniff(content);
        }, iter: 2_000);
    }

    [Fact]
    public void Sniff_SafetensorsHeaderLongerThanTheWindow_JudgesTheTensorsItShows()
    {
        // Models with thousands of tensors have headers past 64 KiB: the window shows the first entries.
        var json = "{\"__metadata__\":{\"format\":\"pt\"}";
        for (var i = 0; json.Length < 2 * ModelFormatSniffer.Window; i++)
        {
            json += $",\"layers.{i}.weight\":{{\"dtype\":\"BF16\",\"shape\":[4096,4096],\"data_offsets\":[{i * 32},{(i + 1) * 32}]}}";
        }

        var content = Safetensors(json + "}");

        Assert.Equal(ModelFormat.Safetensors, ModelFormatSniffer.Sniff(content.AsSpan(0, ModelFormatSniffer.Window)));
    }

    [Theory]
    [InlineData("{\"__metadata__\":{\"format\":\"pt\"}}")] // metadata and no tensor
    [InlineData("{\"weight\":{\"dtype\":\"F32\",\"shape\":[2]}}")] // no data_offsets
    [InlineData("{\"weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}")] // one offset
    [InlineData("{\"weight\":{\"dtype\":5,\"shape\":[2],\"data_offsets\":[0,8]}}")] // dtype not a string
    [InlineData("{\"weight\":[1,2]}")] // a tensor that is not an object
    [InlineData("{\"weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}} trailing")] // not JSON after the header
    public void Sniff_SafetensorsHeaderWithoutATensorEntry_RecognisesNothing(string json)
    {
        Assert.Null(ModelFormatSniffer.Sniff(Safetensors(json)));
    }

    [Fact]
    public void Sniff_SafetensorsLengthBeyondTheFormatsLimit_RecognisesNothing()
    {
        var content = Safetensors("{\"weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}");
        BinaryPrimitives.WriteUInt64LittleEndian(content, 200_000_000);

        Assert.Null(ModelFormatSniffer.Sniff(content));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(4u)]
    public void Sniff_GgufWithUnknownVersion_RecognisesNothing(uint version)
    {
        var content = ModelFiles.Gguf(64);
        BinaryPrimitives.WriteUInt32LittleEndian(content.AsSpan(4), version);

        Assert.Null(ModelFormatSniffer.Sniff(content));
    }

    [Fact]
    public void Sniff_GgufWithImplausibleTensorCount_RecognisesNothing()
    {
        var content = ModelFiles.Gguf(64);
        BinaryPrimitives.WriteUInt64LittleEndian(content.AsSpan(8), ulong.MaxValue);

        Assert.Null(ModelFormatSniffer.Sniff(content));
    }

    [Fact]
    public void Sniff_GgufMagicFollowedByText_RecognisesNothing()
    {
        Assert.Null(ModelFormatSniffer.Sniff("GGUF is the format llama.cpp reads; this note is about it."u8));
    }

    [Fact]
    public void Sniff_NumPyHeaderWithoutDescr_RecognisesNothing()
    {
        var content = ModelFiles.NumPy(64);
        "'desc'"u8.CopyTo(content.AsSpan(11));
        "{'xxxx'"u8.CopyTo(content.AsSpan(10));

        Assert.Null(ModelFormatSniffer.Sniff(content));
    }

    [Fact]
    public void Sniff_ZipWhoseDataPklIsNotAPickle_RecognisesNothing()
    {
        var content = ModelFiles.PyTorch(64);
        var data = content.AsSpan().IndexOf("data.pkl"u8) + "data.pkl".Length;
        content[data] = (byte)'x';

        Assert.Null(ModelFormatSniffer.Sniff(content));
    }

    [Fact]
    public void Sniff_ZipHoldingAFileNamedLikeDataPkl_RecognisesNothing()
    {
        var content = ModelFiles.PyTorch(64);
        "q3_notes/metadata.pkl"u8.CopyTo(content.AsSpan(30));
        content[26] = (byte)"q3_notes/metadata.pkl".Length;

        // The name now runs into the entry's data: the walk finds no data.pkl and no pickle.
        Assert.Null(ModelFormatSniffer.Sniff(content));
    }

    [Fact]
    public void Sniff_OnnxWithoutGraph_RecognisesNothing()
    {
        // ir_version and a producer name only: a protobuf message, but no model.
        Assert.Null(ModelFormatSniffer.Sniff([0x08, 0x09, 0x12, 0x07, .. "pytorch"u8]));
    }

    [Fact]
    public void Sniff_OnnxWithoutIrVersion_RecognisesNothing()
    {
        var content = ModelFiles.Onnx(64);

        // Field 1 becomes field 5 (model_version), also a varint: still well formed, but no ir_version.
        content[0] = 5 << 3;

        Assert.Null(ModelFormatSniffer.Sniff(content));
    }

    [Fact]
    public void Sniff_OnnxWithAMalformedField_RecognisesNothing()
    {
        var content = ModelFiles.Onnx(64);

        // The producer name's tag becomes wire type 7, which protobuf does not have.
        content[2] = (2 << 3) | 7;

        Assert.Null(ModelFormatSniffer.Sniff(content));
    }

    [Fact]
    public void Sniff_OnnxFieldsOutOfOrder_RecognisesNothing()
    {
        // graph (7) before ir_version (1): protobuf writers emit fields in order, so this is not a writer's model.
        Assert.Null(ModelFormatSniffer.Sniff([0x3a, 0x04, 0x12, 0x02, (byte)'g', 0x00, 0x08, 0x09]));
        Assert.Equal(ModelFormat.Onnx, ModelFormatSniffer.Sniff([0x08, 0x09, 0x3a, 0x04, 0x12, 0x02, (byte)'g', 0x00]));
    }

    [Fact]
    public void Sniff_OnnxWithAnUndeclaredFieldBeforeTheGraph_RecognisesNothing()
    {
        // Field 9 (length-delimited) between ir_version and graph: ModelProto declares no such field.
        Assert.Null(ModelFormatSniffer.Sniff([0x08, 0x09, 0x4a, 0x01, 0x00, 0x3a, 0x04, 0x12, 0x02, (byte)'g', 0x00]));
    }

    [Fact]
    public void Sniff_LeadingByteOfOnnxAlone_RecognisesNothing()
    {
        Assert.Null(ModelFormatSniffer.Sniff([0x08, 0x07]));
        Assert.Null(ModelFormatSniffer.Sniff("\bA short note"u8));
    }

    [Fact]
    public void Sniff_Hdf5SignatureAtAnOffsetThatIsNotAUserBlockSize_RecognisesNothing()
    {
        var content = new byte[4096];
        ModelFiles.Hdf5(0).CopyTo(content.AsSpan(700));

        Assert.Null(ModelFormatSniffer.Sniff(content));
    }

    [Fact]
    public void Sniff_Hdf5AfterALargeUserBlock_RecognisesIt()
    {
        Assert.Equal(ModelFormat.Hdf5, ModelFormatSniffer.Sniff(ModelFiles.Hdf5(64, userBlock: 32768)));
    }

    [Fact]
    public void Sniff_MoreThanTheWindow_ReadsOnlyTheWindow()
    {
        // An HDF5 signature at 64 KiB is past the window, though the format allows it there.
        var content = new byte[2 * ModelFormatSniffer.Window];
        ModelFiles.Hdf5(0).CopyTo(content.AsSpan(ModelFormatSniffer.Window));

        Assert.Null(ModelFormatSniffer.Sniff(content));
    }

    private static byte[] Safetensors(string json)
    {
        var header = System.Text.Encoding.UTF8.GetBytes(json);
        var content = new byte[8 + header.Length + 8];
        BinaryPrimitives.WriteUInt64LittleEndian(content, (ulong)header.Length);
        header.CopyTo(content, 8);
        return content;
    }
}
