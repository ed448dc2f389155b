namespace AgentGuard.Infrastructure;

/// <summary>
/// Sets and clears the immutable attribute (<c>chattr +i</c>) on a folder and everything in it.
/// Tests run as root, for whom permission bits change nothing; immutable stops root too. A test
/// skips, saying why, when the filesystem does not support the attribute.
/// </summary>
internal static class Immutable
{
    /// <summary>Makes <paramref name="folder"/> and its files immutable; skips the test when chattr is unsupported.</summary>
    public static void Set(string folder)
    {
        var (code, error) = SmallDisk.Run("chattr", "-R", "+i", folder);
        Skip.If(code != 0, $"chattr +i is not supported for {folder}: {error}");
    }

    /// <summary>A fresh folder on a filesystem that supports the attribute (the temp folder, else /dev/shm); skips the test when neither does.</summary>
    public static string CreateCapableFolder()
    {
        var errors = new List<string>();
        foreach (var parent in new[] { Path.GetTempPath(), "/dev/shm" })
        {
            if (!Directory.Exists(parent))
            {
                continue;
            }

            var folder = Directory.CreateDirectory(Path.Combine(parent, "agentguard-immutable-" + Guid.NewGuid().ToString("N"))).FullName;
            var (code, error) = SmallDisk.Run("chattr", "+i", folder);
            if (code == 0)
            {
                Clear(folder);
                return folder;
            }

            errors.Add(error);
            Directory.Delete(folder);
        }

        Skip.If(true, $"chattr +i is supported neither in {Path.GetTempPath()} nor in /dev/shm: {string.Join("; ", errors)}");
        return string.Empty;
    }

    /// <summary>Makes <paramref name="folder"/> and its files writable again.</summary>
    public static void Clear(string folder)
    {
        var (code, error) = SmallDisk.Run("chattr", "-R", "-i", folder);
        Assert.True(code == 0, $"chattr -R -i {folder}: {error}");
    }
}
