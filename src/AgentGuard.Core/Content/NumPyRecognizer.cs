using System.Buffers.Binary;

namespace AgentGuard.Content;

/// <summary>
/// NumPy <c>.npy</c> (numpy.lib.format): the magic <c>\x93NUMPY</c>, a major and minor version
/// (1.0, 2.0 or 3.0), the header's length (uint16 in version 1, uint32 since), then the header: a
/// Python dictionary literal with the keys <c>'descr'</c>, <c>'fortran_order'</c> and <c>'shape'</c>,
/// padded with spaces and ended by a newline.
/// </summary>
internal static class NumPyRecognizer
{
    // numpy.lib.format reads at most 10000 header bytes unless told otherwise; allow well beyond that.
    private const uint MaxHeaderLength = 1 << 20;

    // \x93NUMPY: bytes, not a string literal (whose \x93 would encode as two UTF-8 bytes).
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static bool Recognizes(ReadOnlySpan<byte> prefix)
    {
        if (prefix.Length < 12 || !prefix.StartsWith(Magic) || prefix[7] != 0)
        {
            return false;
        }

        int start;
        uint length;
        switch (prefix[6])
        {
            case 1:
                length = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]);
                start = 10;
                break;
            case 2:
            case 3:
                length = BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
                start = 12;
                break;
            default:
                return false;
        }

        if (length is < 2 or > MaxHeaderLength || prefix.Length <= start || prefix[start] != (byte)'{')
        {
            return false;
        }

        var header = prefix[start..];
        if ((ulong)header.Length >= length)
        {
            header = header[..(int)length];
            if (header[^1] != (byte)'\n')
            {
                return false;
            }
        }

        return header.IndexOf("'descr'"u8) >= 0 || header.IndexOf("\"descr\""u8) >= 0;
    }
}
