using System.Security.Cryptography;
using System.Text;

namespace AgentGuard.Policy;

/// <summary>
/// The policy files under the paths a user gives, read once: what a load compiles, and what a
/// reload compares with an earlier read to tell that nobody is still writing them.
/// </summary>
public sealed class PolicySources
{
    private PolicySources(IReadOnlyList<string> paths, IReadOnlyList<(string Path, string Text)> files, IReadOnlyList<PolicyError> errors)
    {
        Paths = paths;
        Files = files;
        Errors = errors;
        var hash = new StringBuilder();
        foreach (var (path, text) in files)
        {
            hash.Append(path).Append('\0').Append(text).Append('\0');
        }

        foreach (var error in errors)
        {
            hash.Append('\u0001').Append(error.ToString()).Append('\0');
        }

        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(hash.ToString())));
    }

    /// <summary>The files and folders the user gave.</summary>
    public IReadOnlyList<string> Paths { get; }

    /// <summary>The policy files found (full paths, stable order) and their text.</summary>
    public IReadOnlyList<(string Path, string Text)> Files { get; }

    /// <summary>Paths that do not exist, files that could not be read, or no policy file at all.</summary>
    public IReadOnlyList<PolicyError> Errors { get; }

    /// <summary>A hash of every file's path and text and of every error: equal fingerprints, equal reads.</summary>
    public string Fingerprint { get; }

    /// <summary>Finds and reads the policy files (not <c>*.tests.yaml</c>) under <paramref name="paths"/>.</summary>
    public static PolicySources Read(IEnumerable<string> paths)
    {
        var given = paths.ToList();
        var missing = new List<string>();
        var found = PolicyFiles.Find(given, tests: false, missing);
        var errors = new List<PolicyError>();
        foreach (var path in missing)
        {
            errors.Add(new PolicyError(path, 0, "no such file or folder"));
        }

        if (found.Count == 0 && missing.Count == 0)
        {
            errors.Add(new PolicyError(string.Join(", ", given), 0, "no policy files (*.yaml) found"));
        }

        var files = new List<(string Path, string Text)>(found.Count);
        foreach (var file in found)
        {
            try
            {
                files.Add((file, File.ReadAllText(file)));
            }
            catch (IOException ex)
            {
                errors.Add(new PolicyError(file, 0, "cannot be read: " + ex.Message));
            }
            catch (UnauthorizedAccessException ex)
            {
                errors.Add(new PolicyError(file, 0, "cannot be read: " + ex.Message));
            }
        }

        return new PolicySources(given, files, errors);
    }
}
