using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace AgentGuard.Infrastructure;

/// <summary>
/// Model weights files built byte by byte to each format's specification (no ML library writes
/// them), and files that are not weights. Each weights file carries <c>dataBytes</c> of tensor data
/// after its header, so a test can make it larger than the sniffing window.
/// </summary>
internal static class ModelFiles
{
    /// <summary>Every weights format with its builder, for theories.</summary>
    public static readonly (string Name, Func<int, byte[]> Build)[] Weights =
    [
        ("safetensors", Safetensors),
        ("gguf", Gguf),
        ("pytorch", PyTorch),
        ("pytorch-legacy", PyTorchLegacy),
        ("numpy", NumPy),
        ("onnx", Onnx),
        ("hdf5", dataBytes => Hdf5(dataBytes)),
        ("hdf5-user-block", dataBytes => Hdf5(dataBytes, userBlock: 512)),
    ];

    /// <summary>Files that are not weights.</summary>
    public static readonly (string Name, Func<byte[]> Build)[] Others =
    [
        ("text", Text),
        ("csv", Csv),
        ("json", Json),
        ("pdf", Pdf),
        ("png", Png),
        ("plain-zip", PlainZip),
        ("gzip", Gzip),
    ];

    /// <summary>The name a theory case's builder goes by.</summary>
    public static byte[] Build(string name, int dataBytes = 64)
    {
        foreach (var (weights, build) in Weights)
        {
            if (weights == name)
            {
                return build(dataBytes);
            }
        }

        foreach (var (other, build) in Others)
        {
            if (other == name)
            {
                return build();
            }
        }

        throw new ArgumentException($"no model file is named '{name}'", nameof(name));
    }

    /// <summary>
    /// safetensors: u64 little-endian header length, the JSON header (padded with spaces to a multiple
    /// of 8, as the safetensors library does), then the tensor's bytes.
    /// </summary>
    public static byte[] Safetensors(int dataBytes)
    {
        var elements = dataBytes / 4;
        var json = "{\"__metadata__\":{\"format\":\"pt\"},\"weight\":{\"dtype\":\"F32\",\"shape\":[" + elements + "],\"data_offsets\":[0," + (elements * 4) + "]}}";
        while ((8 + json.Length) % 8 != 0)
        {
            json += ' ';
        }

        var file = new MemoryStream();
        WriteUInt64(file, (ulong)json.Length);
        file.Write(Encoding.UTF8.GetBytes(json));
        file.Write(Pattern(elements * 4));
        return file.ToArray();
    }

    /// <summary>
    /// GGUF version 3: magic, version, tensor count, key-value count, one key-value
    /// (<c>general.architecture</c> = "llama"), one tensor info, padding to the default 32-byte
    /// alignment, then the tensor's data.
    /// </summary>
    public static byte[] Gguf(int dataBytes)
    {
        var elements = dataBytes / 4;
        var file = new MemoryStream();
        file.Write("GGUF"u8);
        WriteUInt32(file, 3);
        WriteUInt64(file, 1); // tensor_count
        WriteUInt64(file, 1); // metadata_kv_count
        WriteGgufString(file, "general.architecture");
        WriteUInt32(file, 8); // GGUF_METADATA_VALUE_TYPE_STRING
        WriteGgufString(file, "llama");
        WriteGgufString(file, "token_embd.weight");
        WriteUInt32(file, 1); // n_dimensions
        WriteUInt64(file, (ulong)elements);
        WriteUInt32(file, 0); // GGML_TYPE_F32
        WriteUInt64(file, 0); // offset within the tensor data
        while (file.Length % 32 != 0)
        {
            file.WriteByte(0);
        }

        file.Write(Pattern(elements * 4));
        return file.ToArray();
    }

    /// <summary>
    /// PyTorch's zip format as <c>torch.save</c> writes it: stored (uncompressed) entries under the
    /// archive's folder, <c>data.pkl</c> first (a protocol 2 pickle), the tensor's storage in
    /// <c>data/0</c>, then <c>byteorder</c> and <c>version</c>.
    /// </summary>
    public static byte[] PyTorch(int dataBytes)
    {
        var file = new MemoryStream();
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
        {
            AddEntry(zip, "q3_notes/data.pkl", [0x80, 0x02, (byte)'}', (byte)'q', 0x00, (byte)'.'], CompressionLevel.NoCompression);
            AddEntry(zip, "q3_notes/data/0", Pattern(dataBytes), CompressionLevel.NoCompression);
            AddEntry(zip, "q3_notes/byteorder", "little"u8.ToArray(), CompressionLevel.NoCompression);
            AddEntry(zip, "q3_notes/version", "3\n"u8.ToArray(), CompressionLevel.NoCompression);
        }

        return file.ToArray();
    }

    /// <summary>
    /// PyTorch's legacy format (before 1.6): a protocol 2 pickle of torch's magic number (a LONG1 of
    /// 0x1950a86a20f9469cfc6c), then the protocol version, system info and the storages.
    /// </summary>
    public static byte[] PyTorchLegacy(int dataBytes)
    {
        var file = new MemoryStream();
        file.Write([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, (byte)'.']);
        file.Write([0x80, 0x02, (byte)'M', 0xe9, 0x03, (byte)'.']); // protocol version 1001
        file.Write(Pattern(dataBytes));
        return file.ToArray();
    }

    /// <summary>NumPy <c>.npy</c> version 1.0: magic, version, u16 header length, the header dictionary padded to 64 bytes, the array's bytes.</summary>
    public static byte[] NumPy(int dataBytes)
    {
        var elements = dataBytes / 4;
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + elements + ",), }";
        while ((10 + header.Length + 1) % 64 != 0)
        {
            header += ' ';
        }

        header += '\n';
        var file = new MemoryStream();
        file.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        file.WriteByte((byte)header.Length);
        file.WriteByte((byte)(header.Length >> 8));
        file.Write(Encoding.ASCII.GetBytes(header));
        file.Write(Pattern(elements * 4));
        return file.ToArray();
    }

    /// <summary>
    /// ONNX: a protobuf <c>ModelProto</c> encoded by hand (ir_version 9, producer, a graph with one
    /// MatMul node, its weight as an initializer's raw_data, input and output, then opset 17).
    /// </summary>
    public static byte[] Onnx(int dataBytes)
    {
        var elements = dataBytes / 4;
        var initializer = Concat(
            VarintField(1, (ulong)elements), // dims
            VarintField(2, 1), // data_type FLOAT
            StringField(8, "weight"), // name
            BytesField(9, Pattern(elements * 4))); // raw_data
        var node = Concat(StringField(1, "x"), StringField(1, "weight"), StringField(2, "y"), StringField(4, "MatMul"));
        var graph = Concat(
            BytesField(1, node),
            StringField(2, "main_graph"),
            BytesField(5, initializer),
            BytesField(11, StringField(1, "x")),
            BytesField(12, StringField(1, "y")));
        return Concat(
            VarintField(1, 9), // ir_version
            StringField(2, "pytorch"), // producer_name
            StringField(3, "2.5.0"), // producer_version
            BytesField(7, graph),
            BytesField(8, Concat(StringField(1, string.Empty), VarintField(2, 17)))); // opset_import
    }

    /// <summary>
    /// HDF5 with a version 0 superblock (as h5py writes for Keras): signature, versions, sizes of
    /// offsets and lengths, B-tree K values, addresses and the root group's symbol table entry,
    /// after an optional user block (whose size the base address gives).
    /// </summary>
    public static byte[] Hdf5(int dataBytes, int userBlock = 0)
    {
        var file = new MemoryStream();
        file.Write(new byte[userBlock]);
        file.Write([0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1a, (byte)'\n']);
        file.Write([0, 0, 0, 0, 0, 8, 8, 0]); // superblock, free-space, root group, reserved, shared header versions; offset and length sizes; reserved
        file.Write([4, 0, 16, 0]); // group leaf node K, group internal node K
        WriteUInt32(file, 0); // file consistency flags
        WriteUInt64(file, (ulong)userBlock); // base address
        WriteUInt64(file, ulong.MaxValue); // free-space info address (undefined)
        WriteUInt64(file, (ulong)(userBlock + 96 + dataBytes)); // end of file address
        WriteUInt64(file, ulong.MaxValue); // driver information block address (undefined)
        WriteUInt64(file, 0); // root group: link name offset
        WriteUInt64(file, 96); // root group: object header address
        WriteUInt32(file, 1); // cache type: symbol table
        WriteUInt32(file, 0); // reserved
        WriteUInt64(file, 136); // scratch: B-tree address
        WriteUInt64(file, 680); // scratch: local heap address
        file.Write(Pattern(dataBytes));
        return file.ToArray();
    }

    public static byte[] Text() => "Q3 notes\n\nRevenue grew 4% on the quarter; the evaluation report is due Friday.\n"u8.ToArray();

    public static byte[] Csv() => "name,department,start_date\nAlice,Research,2025-01-06\nBob,Operations,2025-03-17\n"u8.ToArray();

    public static byte[] Json() => "{\"weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"u8.ToArray();

    public static byte[] Pdf() => "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"u8.ToArray();

    public static byte[] Png() => [0x89, (byte)'P', (byte)'N', (byte)'G', (byte)'\r', (byte)'\n', 0x1a, (byte)'\n', 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0];

    /// <summary>A zip of a text and a CSV file: an archive, not weights.</summary>
    public static byte[] PlainZip()
    {
        var file = new MemoryStream();
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
        {
            AddEntry(zip, "notes.txt", Text(), CompressionLevel.NoCompression);
            AddEntry(zip, "report.csv", Csv(), CompressionLevel.Optimal);
        }

        return file.ToArray();
    }

    public static byte[] Gzip()
    {
        var file = new MemoryStream();
        using (var gzip = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(Csv());
        }

        return file.ToArray();
    }

    /// <summary>Tensor bytes: a repeating pattern, so a test can tell them apart from zeros.</summary>
    private static byte[] Pattern(int length)
    {
        var data = new byte[length];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(i * 31);
        }

        return data;
    }

    private static void AddEntry(ZipArchive zip, string name, byte[] content, CompressionLevel level)
    {
        using var stream = zip.CreateEntry(name, level).Open();
        stream.Write(content);
    }

    private static void WriteUInt32(Stream stream, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        stream.Write(bytes);
    }

    private static void WriteUInt64(Stream stream, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        stream.Write(bytes);
    }

    private static void WriteGgufString(Stream stream, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteUInt64(stream, (ulong)bytes.Length);
        stream.Write(bytes);
    }

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);

        return [.. bytes];
    }

    private static byte[] VarintField(int field, ulong value) => Concat(Varint((ulong)(field << 3)), Varint(value));

    private static byte[] BytesField(int field, byte[] value) => Concat(Varint((ulong)((field << 3) | 2)), Varint((ulong)value.Length), value);

    private static byte[] StringField(int field, string value) => BytesField(field, Encoding.UTF8.GetBytes(value));

    private static byte[] Concat(params byte[][] parts)
    {
        var all = new MemoryStream();
        foreach (var part in parts)
        {
            all.Write(part);
        }

        return all.ToArray();
    }
}
