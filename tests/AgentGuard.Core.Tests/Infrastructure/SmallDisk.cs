using System.Diagnostics;

namespace AgentGuard.Infrastructure;

/// <summary>
/// A real, small tmpfs mounted on a fresh folder, to run out of space on purpose (root can mount
/// one; <c>ulimit -f</c> would not do: its SIGXFSZ kills the process instead of failing a write).
/// Tests skip, saying why, where mounting is not allowed.
/// </summary>
internal sealed class SmallDisk : IDisposable
{
    private SmallDisk(string path)
    {
        Path = path;
    }

    /// <summary>The mount point.</summary>
    public string Path { get; }

    private string Filler => System.IO.Path.Combine(Path, "filler");

    /// <summary>Mounts a tmpfs of <paramref name="bytes"/> bytes; skips the test when that is not possible here.</summary>
    public static SmallDisk Mount(int bytes = 256 * 1024)
    {
        var path = Directory.CreateTempSubdirectory("agentguard-small-disk-").FullName;
        var (code, error) = Run("mount", "-t", "tmpfs", "-o", $"size={bytes}", "tmpfs", path);
        if (code != 0)
        {
            Directory.Delete(path);
            Skip.If(true, $"cannot mount a small tmpfs to fill (needs root and mount): {error}");
        }

        return new SmallDisk(path);
    }

    /// <summary>Writes a filler file until the disk is full, then frees <paramref name="leave"/> bytes of it again.</summary>
    public void Fill(int leave = 0)
    {
        using (var filler = new FileStream(Filler, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0))
        {
            var block = new byte[4096];
            try
            {
                while (true)
                {
                    filler.Write(block);
                }
            }
            catch (IOException)
            {
                // ENOSPC: full.
            }

            if (leave > 0)
            {
                filler.SetLength(Math.Max(0, filler.Length - leave));
            }
        }
    }

    /// <summary>Deletes the filler: the space is back.</summary>
    public void Free() => File.Delete(Filler);

    public void Dispose()
    {
        Run("umount", "-l", Path);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    internal static (int Code, string Error) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, error.Trim());
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, $"{program}: {ex.Message}");
        }
    }
}
