namespace AgentGuard.Content;

/// <summary>
/// HDF5 (Keras <c>.h5</c>): the format signature <c>\x89HDF\r\n\x1a\n</c> at offset 0, or, when a
/// user block comes first, at 512, 1024, 2048 and further powers of two (HDF5 File Format
/// Specification, "Format Signature"), followed by the superblock's version (0 to 3).
/// </summary>
internal static class Hdf5Recognizer
{
    private const int FirstUserBlockSize = 512;

    // Superblock versions 0 to 3 exist (HDF5 1.0 to 1.10+).
    private const byte MaxSuperblockVersion = 3;

    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1a, (byte)'\n'];

    public static bool Recognizes(ReadOnlySpan<byte> prefix)
    {
        if (IsSuperblock(prefix))
        {
            return true;
        }

        for (var offset = FirstUserBlockSize; offset < prefix.Length; offset *= 2)
        {
            if (IsSuperblock(prefix[offset..]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsSuperblock(ReadOnlySpan<byte> at)
        => at.Length >= 9 && at.StartsWith(Signature) && at[8] <= MaxSuperblockVersion;
}
