using AgentGuard.Infrastructure;

namespace AgentGuard.Policy;

public sealed class PolicyFilesTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void RealPath_LinksAlongThePath_ResolvesEveryOne()
    {
        // A ConfigMap volume: FILE -> ..data/FILE, ..data -> ..2026_12_05_01 (both relative).
        var target = _folder.Write("mount/..2026_12_05_01/p.yaml", "rules: []\n");
        var mount = Path.Combine(_folder.Path, "mount");
        File.CreateSymbolicLink(Path.Combine(mount, "..data"), "..2026_12_05_01");
        File.CreateSymbolicLink(Path.Combine(mount, "p.yaml"), "..data/p.yaml");
        Directory.CreateSymbolicLink(Path.Combine(_folder.Path, "current"), mount);

        Assert.Equal(target, PolicyFiles.RealPath(Path.Combine(_folder.Path, "current", "p.yaml")));
        Assert.Equal(target, PolicyFiles.RealPath(Path.Combine(_folder.Path, "current", "..data", ".", "p.yaml")));
    }

    [Fact]
    public void RealPath_NoLinksOrMissing_ReturnsFullPath()
    {
        var missing = Path.Combine(_folder.Path, "not", "there.yaml");

        Assert.Equal(missing, PolicyFiles.RealPath(missing));
    }

    [Fact]
    public void RealPath_LinksInALoop_ReturnsNull()
    {
        File.CreateSymbolicLink(Path.Combine(_folder.Path, "a"), "b");
        File.CreateSymbolicLink(Path.Combine(_folder.Path, "b"), "a");

        Assert.Null(PolicyFiles.RealPath(Path.Combine(_folder.Path, "a", "p.yaml")));
    }
}
