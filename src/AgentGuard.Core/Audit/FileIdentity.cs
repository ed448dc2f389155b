using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AgentGuard.Audit;

/// <summary>
/// Which file a handle or a path refers to (device and inode), so the writer can tell that the
/// segment it holds open is still the one at its path: after <c>rm -rf</c> of the folder, or a
/// segment replaced by a copy, the handle writes on into a file no one will ever read.
/// One <c>statx</c> call on Linux, per group write, not per record (a path lookup: microseconds,
/// against the fsync it follows; docs/performance.md section 5 has the before and after); elsewhere
/// only whether the path still exists.
/// </summary>
internal readonly partial record struct FileIdentity(ulong Device, ulong Inode)
{
    private const int AtFdCwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxIno = 0x100;

    private static bool s_statx = OperatingSystem.IsLinux();

    /// <summary>The file <paramref name="handle"/> is open on.</summary>
    public static FileIdentity Of(SafeFileHandle handle)
    {
        if (s_statx)
        {
            var added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                if (TryStatx((int)handle.DangerousGetHandle(), string.Empty, AtEmptyPath, out var identity))
                {
                    return identity;
                }
            }
            finally
            {
                if (added)
                {
                    handle.DangerousRelease();
                }
            }
        }

        return default;
    }

    /// <summary>The file at <paramref name="path"/> now, or <see langword="null"/> when there is none.</summary>
    public static FileIdentity? Of(string path)
    {
        if (s_statx && TryStatx(AtFdCwd, path, 0, out var identity))
        {
            return identity;
        }

        return File.Exists(path) ? (s_statx ? null : default(FileIdentity)) : null;
    }

    private static bool TryStatx(int directory, string path, int flags, out FileIdentity identity)
    {
        identity = default;
        try
        {
            if (Statx(directory, path, flags, StatxIno, out var buffer) != 0)
            {
                return false;
            }

            identity = new FileIdentity(((ulong)buffer.DeviceMajor << 32) | buffer.DeviceMinor, buffer.Inode);
            return true;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // A C library without statx (glibc before 2.28): fall back to whether the path exists.
            s_statx = false;
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int directory, string path, int flags, uint mask, out StatxBuffer buffer);

    /// <summary>struct statx: the same layout on every Linux architecture.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(32)]
        public ulong Inode;

        [FieldOffset(136)]
        public uint DeviceMajor;

        [FieldOffset(140)]
        public uint DeviceMinor;
    }
}
