using System.Buffers.Binary;

namespace AgentGuard.Content;

/// <summary>
/// GGUF (ggml's file format, llama.cpp): the magic <c>GGUF</c>, a uint32 version (1 to 3), the tensor
/// and key-value counts (uint32 in version 1, uint64 since), then the first key as a length-prefixed
/// string and its value type. Version 3 files may be big-endian; the version says which.
/// </summary>
internal static class GgufRecognizer
{
    // llama.cpp refuses files claiming more; no model has close to this many tensors or keys.
    private const ulong MaxCount = 1 << 24;

    // GGUF keys are short ASCII names such as "general.architecture"; the specification caps them at 65535 bytes.
    private const ulong MaxKeyLength = 65535;

    // gguf_metadata_value_type: UINT8 = 0 ... FLOAT64 = 12.
    private const uint MaxValueType = 12;

    public static bool Recognizes(ReadOnlySpan<byte> prefix)
    {
        if (prefix.Length < 16 || !prefix.StartsWith("GGUF"u8))
        {
            return false;
        }

        var bigEndian = false;
        var version = BinaryPrimitives.ReadUInt32LittleEndian(prefix[4..]);
        if (version is < 1 or > 3)
        {
            version = BinaryPrimitives.ReadUInt32BigEndian(prefix[4..]);
            bigEndian = true;
            if (version is < 2 or > 3)
            {
                return false;
            }
        }

        var wide = version >= 2;
        var offset = 8;
        if (!TryCount(prefix, ref offset, wide, bigEndian, out var tensors)
            || !TryCount(prefix, ref offset, wide, bigEndian, out var keys)
            || tensors > MaxCount
            || keys > MaxCount)
        {
            return false;
        }

        if (keys == 0 || prefix.Length < offset + (wide ? 8 : 4))
        {
            // Nothing more to check in the window (or no keys): the magic, version and counts decide.
            return true;
        }

        TryCount(prefix, ref offset, wide, bigEndian, out var keyLength);
        if (keyLength is 0 or > MaxKeyLength)
        {
            return false;
        }

        var key = prefix[offset..];
        var visible = (int)Math.Min((ulong)key.Length, keyLength);
        foreach (var b in key[..visible])
        {
            if (b is < 0x21 or > 0x7e)
            {
                return false;
            }
        }

        offset += visible;
        if ((ulong)visible < keyLength || prefix.Length < offset + 4)
        {
            return true;
        }

        var type = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(prefix[offset..]) : BinaryPrimitives.ReadUInt32LittleEndian(prefix[offset..]);
        return type <= MaxValueType;
    }

    private static bool TryCount(ReadOnlySpan<byte> prefix, ref int offset, bool wide, bool bigEndian, out ulong value)
    {
        var size = wide ? 8 : 4;
        if (prefix.Length < offset + size)
        {
            value = 0;
            return false;
        }

        var field = prefix.Slice(offset, size);
        value = (wide, bigEndian) switch
        {
            (true, false) => BinaryPrimitives.ReadUInt64LittleEndian(field),
            (true, true) => BinaryPrimitives.ReadUInt64BigEndian(field),
            (false, false) => BinaryPrimitives.ReadUInt32LittleEndian(field),
            (false, true) => BinaryPrimitives.ReadUInt32BigEndian(field),
        };
        offset += size;
        return true;
    }
}
