using System.Buffers.Binary;

namespace AgentGuard.Content;

/// <summary>
/// PyTorch's <c>torch.save</c> (and TorchScript's <c>torch.jit.save</c>): a zip archive whose entries,
/// walked by their local file headers (APPNOTE.TXT 4.3.7), include <c>data.pkl</c> in the archive's
/// folder (<c>archive/data.pkl</c>, <c>model/data.pkl</c>) and whose stored pickle begins with a
/// protocol opcode. Also the legacy format (<c>_use_new_zipfile_serialization=False</c>, PyTorch
/// before 1.6): a pickle whose first object is torch's magic number. A zip without <c>data.pkl</c> is not weights.
/// </summary>
internal static class PyTorchRecognizer
{
    private const int LocalHeaderSize = 30;
    private const ushort DataDescriptorFlag = 1 << 3;
    private const ushort Stored = 0;
    private const ushort Zip64ExtraId = 0x0001;

    // The pickle PROTO opcode and the protocols torch writes with (2 by default, up to 5).
    private const byte PickleProto = 0x80;
    private const byte MaxPickleProtocol = 5;

    // Pickle protocol 4 and later may frame the stream: FRAME (0x95) and a uint64 length.
    private const byte PickleFrame = 0x95;

    private static ReadOnlySpan<byte> LocalHeaderSignature => [(byte)'P', (byte)'K', 3, 4];

    // torch.serialization.MAGIC_NUMBER (0x1950a86a20f9469cfc6c) pickled with LONG1: opcode, length 10, little-endian bytes.
    private static ReadOnlySpan<byte> LegacyMagic => [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

    public static bool Recognizes(ReadOnlySpan<byte> prefix)
        => prefix.StartsWith(LocalHeaderSignature) ? HoldsDataPickle(prefix) : IsLegacyPickle(prefix);

    private static bool HoldsDataPickle(ReadOnlySpan<byte> prefix)
    {
        var offset = 0;
        while (prefix.Length - offset >= LocalHeaderSize && prefix[offset..].StartsWith(LocalHeaderSignature))
        {
            var header = prefix[offset..];
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(header[6..]);
            var method = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
            ulong size = BinaryPrimitives.ReadUInt32LittleEndian(header[18..]);
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header[26..]);
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);
            if (header.Length < LocalHeaderSize + nameLength)
            {
                return false;
            }

            var name = header.Slice(LocalHeaderSize, nameLength);
            var dataStart = (long)offset + LocalHeaderSize + nameLength + extraLength;
            if (name.SequenceEqual("data.pkl"u8) || name.EndsWith("/data.pkl"u8))
            {
                return method != Stored || dataStart >= prefix.Length || IsPickleStart(prefix[(int)dataStart..]);
            }

            if ((flags & DataDescriptorFlag) != 0)
            {
                // The entry's size follows its data: the next header cannot be found without the central directory.
                return false;
            }

            if (size == uint.MaxValue)
            {
                var extraStart = offset + LocalHeaderSize + nameLength;
                if (extraStart + extraLength > prefix.Length || !TryZip64CompressedSize(prefix.Slice(extraStart, extraLength), out size))
                {
                    return false;
                }
            }

            var next = (ulong)dataStart + size;
            if (next >= (ulong)prefix.Length)
            {
                return false;
            }

            offset = (int)next;
        }

        return false;
    }

    /// <summary>The compressed size from a local header's zip64 extra field (APPNOTE.TXT 4.5.3: uncompressed, then compressed size).</summary>
    private static bool TryZip64CompressedSize(ReadOnlySpan<byte> extra, out ulong size)
    {
        while (extra.Length >= 4)
        {
            var id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            int length = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (extra.Length < 4 + length)
            {
                break;
            }

            if (id == Zip64ExtraId && length >= 16)
            {
                size = BinaryPrimitives.ReadUInt64LittleEndian(extra[12..]);
                return true;
            }

            extra = extra[(4 + length)..];
        }

        size = 0;
        return false;
    }

    private static bool IsPickleStart(ReadOnlySpan<byte> data)
        => data.Length < 2 || (data[0] == PickleProto && data[1] is >= 2 and <= MaxPickleProtocol);

    private static bool IsLegacyPickle(ReadOnlySpan<byte> prefix)
    {
        if (prefix.Length < 2 || prefix[0] != PickleProto || prefix[1] is < 2 or > MaxPickleProtocol)
        {
            return false;
        }

        var rest = prefix[2..];
        if (rest.Length >= 9 && rest[0] == PickleFrame)
        {
            rest = rest[9..];
        }

        return rest.StartsWith(LegacyMagic);
    }
}
