namespace AgentGuard.Infrastructure;

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = Directory.CreateTempSubdirectory("agentguard-tests-").FullName;
    }

    public string Path { get; }

    /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> in the folder and returns its full path.</summary>
    public string Write(string name, string text)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A watcher may still hold the folder for a moment; the OS cleans temp folders.
        }
    }
}
