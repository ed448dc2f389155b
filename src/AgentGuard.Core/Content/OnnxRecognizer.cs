using System.Text.Unicode;

namespace AgentGuard.Content;

/// <summary>
/// ONNX: a protobuf <c>ModelProto</c> (onnx.proto3), read as a sequence of top-level fields with the
/// protobuf wire format (a varint tag of field number and wire type, then a varint, a fixed 32- or
/// 64-bit value, or a varint length and that many bytes). It must be well formed as far as the
/// window shows it, carry <c>ir_version</c> (field 1, a varint) and <c>graph</c> (field 7,
/// length-delimited, beginning with a <c>GraphProto</c> field); the known fields must have their
/// declared wire types and their strings must be UTF-8. A field that runs past the window ends the
/// reading: the graph, which holds the initializers (the weights), usually does.
/// </summary>
/// <remarks>
/// Protobuf writers emit known fields in field-number order (onnx.save, the C++ and Python runtimes),
/// and every field number below the graph's is one <c>ModelProto</c> declares: so up to the graph
/// only declared fields, in order, are accepted. A one-byte <c>0x08</c> start, or a random run of
/// bytes that happens to parse as protobuf, is not a model.
/// </remarks>
internal static class OnnxRecognizer
{
    private const int IrVersionField = 1;
    private const int GraphField = 7;

    // onnx.proto's IR_VERSION is 11 in 2025 (one more every year or two); leave room for later versions.
    private const ulong MaxIrVersion = 32;

    private const int MaxFieldNumber = (1 << 29) - 1;

    public static bool Recognizes(ReadOnlySpan<byte> prefix)
    {
        bool irVersion = false, graph = false;
        ulong lastField = 0;
        var offset = 0;
        while (offset < prefix.Length)
        {
            var read = ReadVarint(prefix[offset..], out var tag);
            if (read == 0)
            {
                break;
            }

            if (read < 0)
            {
                return false;
            }

            offset += read;
            var field = tag >> 3;
            var wireType = (WireType)(tag & 7);
            var declared = field <= MaxFieldNumber ? Declared((int)field) : null;
            if (field is 0 or > MaxFieldNumber || field < lastField || (declared is null && !graph) || (declared is { } type && type != wireType))
            {
                return false;
            }

            lastField = field;

            switch (wireType)
            {
                case WireType.Varint:
                    read = ReadVarint(prefix[offset..], out var value);
                    if (read == 0)
                    {
                        return irVersion && graph;
                    }

                    if (read < 0 || (field == IrVersionField && value is 0 or > MaxIrVersion))
                    {
                        return false;
                    }

                    irVersion |= field == IrVersionField;
                    offset += read;
                    break;
                case WireType.Fixed64:
                    offset += 8;
                    break;
                case WireType.Fixed32:
                    offset += 4;
                    break;
                case WireType.LengthDelimited:
                    read = ReadVarint(prefix[offset..], out var length);
                    if (read == 0)
                    {
                        return irVersion && graph;
                    }

                    if (read < 0 || length > int.MaxValue)
                    {
                        return false;
                    }

                    offset += read;
                    var visible = prefix[offset..];
                    var body = visible[..(int)Math.Min((ulong)visible.Length, length)];
                    if (field == GraphField)
                    {
                        if (length == 0 || (body.Length > 0 && !BeginsGraph(body)))
                        {
                            return false;
                        }

                        graph = true;
                    }
                    else if (IsString((int)field) && (ulong)body.Length == length && !Utf8.IsValid(body))
                    {
                        return false;
                    }

                    if (length > (ulong)visible.Length)
                    {
                        return irVersion && graph;
                    }

                    offset += (int)length;
                    break;
                default:
                    // Groups (3, 4) are deprecated and ONNX has none; 6 and 7 are not wire types.
                    return false;
            }
        }

        return irVersion && graph;
    }

    /// <summary>The wire type <c>ModelProto</c> declares for a field, or <see langword="null"/> for a field it does not declare.</summary>
    private static WireType? Declared(int field) => field switch
    {
        1 or 5 => WireType.Varint, // ir_version, model_version
        2 or 3 or 4 or 6 => WireType.LengthDelimited, // producer_name, producer_version, domain, doc_string
        7 or 8 or 14 or 20 or 25 => WireType.LengthDelimited, // graph, opset_import, metadata_props, training_info, functions
        _ => null,
    };

    private static bool IsString(int field) => field is 2 or 3 or 4 or 6;

    /// <summary>Whether a graph begins with a field <c>GraphProto</c> declares, all of which are length-delimited.</summary>
    private static bool BeginsGraph(ReadOnlySpan<byte> graph)
    {
        var read = ReadVarint(graph, out var tag);
        if (read == 0)
        {
            return true;
        }

        // node, name, initializer, doc_string, input, output, value_info, quantization_annotation, sparse_initializer, metadata_props.
        return read > 0 && (WireType)(tag & 7) == WireType.LengthDelimited && (tag >> 3) is 1 or 2 or 5 or 10 or 11 or 12 or 13 or 14 or 15 or 16;
    }

    /// <summary>Reads a base-128 varint: the bytes it took, 0 when the input ends inside it, -1 when it is longer than 10 bytes.</summary>
    private static int ReadVarint(ReadOnlySpan<byte> input, out ulong value)
    {
        value = 0;
        for (var i = 0; i < 10; i++)
        {
            if (i == input.Length)
            {
                return 0;
            }

            var b = input[i];
            value |= (ulong)(b & 0x7f) << (7 * i);
            if (b < 0x80)
            {
                // The tenth byte may only hold the 64th bit.
                return i == 9 && b > 1 ? -1 : i + 1;
            }
        }

        return -1;
    }

    private enum WireType
    {
        Varint = 0,
        Fixed64 = 1,
        LengthDelimited = 2,
        Fixed32 = 5,
    }
}
