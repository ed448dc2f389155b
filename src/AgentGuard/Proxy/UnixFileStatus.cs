using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace AgentGuard.Proxy;

/// <summary>Owner, group and mode of a file or folder (symlinks followed), from <c>statx(2)</c>.</summary>
/// <param name="Uid">The owner's user id; <see langword="null"/> where the system cannot tell (no <c>statx</c>).</param>
/// <param name="Gid">The group id; <see langword="null"/> where the system cannot tell.</param>
/// <param name="Mode">The permission bits, with set-id and sticky bits.</param>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal readonly record struct UnixFileStatus(uint? Uid, uint? Gid, UnixFileMode Mode)
{
    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;

    /// <summary>The status of <paramref name="path"/>, or <see langword="null"/> when it does not exist.</summary>
    public static UnixFileStatus? Of(string path)
    {
        if (!Path.Exists(path))
        {
            return null;
        }

        var buffer = new byte[256];
        try
        {
            if (Statx(AtFdCwd, path, 0, StatxBasicStats, buffer) == 0)
            {
                // struct statx: stx_uid at 20, stx_gid at 24, stx_mode (16 bits) at 28, on every architecture.
                var uid = BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(20)) : BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(20));
                var gid = BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(24)) : BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(24));
                var mode = BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28)) : BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(28));
                return new UnixFileStatus(uid, gid, (UnixFileMode)(mode & 0xfff));
            }
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            // Not Linux with glibc 2.28 or musl 1.2.5: the mode alone is known.
        }

        try
        {
            return new UnixFileStatus(null, null, File.GetUnixFileMode(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
}
