using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace AgentGuard.S3;

/// <summary>
/// A real S3-compatible server (npm <c>s3rver</c> 3.7.1; it checks a SigV4 request's access key, not
/// its signature, which <see cref="SigV4Verifier"/> does) on a free
/// loopback port, with its own data folder. test.sh installs it and names its script in
/// <see cref="EnvironmentVariable"/>; without the variable the S3 tests skip, and with it a server
/// that does not start fails them.
/// </summary>
internal sealed partial class S3rverServer : IAsyncDisposable
{
    /// <summary>The path of s3rver's <c>bin/s3rver.js</c> (test.sh sets it).</summary>
    public const string EnvironmentVariable = "AGENTGUARD_S3RVER";

    /// <summary>The credentials s3rver accepts (its built-in account).</summary>
    public const string AccessKey = "S3RVER";

    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);

    private readonly Process _process;

    private S3rverServer(Process process, Uri address, string directory)
    {
        _process = process;
        Address = address;
        Directory = directory;
    }

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Address { get; }

    /// <summary>The server's data folder.</summary>
    public string Directory { get; }

    /// <summary>The script path, or skips the calling test (with the reason) when test.sh did not install s3rver.</summary>
    public static string Script()
    {
        var script = Environment.GetEnvironmentVariable(EnvironmentVariable);
        Skip.If(string.IsNullOrEmpty(script), $"{EnvironmentVariable} is not set: run ./test.sh, or tests/s3/install.sh and export {EnvironmentVariable} as it prints, to run the S3 tests against a real s3rver");
        return script!;
    }

    /// <summary>Starts s3rver with <paramref name="buckets"/> created; virtual-hosted requests to <c>bucket.s3.localhost</c> work too.</summary>
    public static async Task<S3rverServer> StartAsync(ITestOutputHelper output, params string[] buckets)
    {
        var script = Script();
        Assert.True(File.Exists(script), $"{EnvironmentVariable} names '{script}', which does not exist; re-run tests/s3/install.sh");
        var directory = System.IO.Directory.CreateTempSubdirectory("agentguard-s3rver-").FullName;
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { script, "-d", directory, "-a", "127.0.0.1", "-p", "0", "--service-endpoint", "localhost" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var bucket in buckets)
        {
            start.ArgumentList.Add("--configure-bucket");
            start.ArgumentList.Add(bucket);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                listening.TrySetException(new InvalidOperationException("s3rver exited: " + errors));
                return;
            }

            Log(output, "s3rver: " + line.Data);
            if (Listening().Match(line.Data) is { Success: true } match)
            {
                listening.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                lock (errors)
                {
                    errors.AppendLine(line.Data);
                }

                Log(output, "s3rver: " + line.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var port = await listening.Task.WaitAsync(StartDeadline);
            return new S3rverServer(process, new Uri($"http://127.0.0.1:{port}/"), directory);
        }
        catch (Exception ex)
        {
            Stop(process);
            Assert.Fail($"s3rver ({script}) did not start within {StartDeadline.TotalSeconds} s: {ex.Message}");
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop(_process);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open as the server went: the temp folder is cleaned by the system.
        }

        return ValueTask.CompletedTask;
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }

        process.Dispose();
    }

    private static void Log(ITestOutputHelper output, string line)
    {
        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test already finished.
        }
    }

    [GeneratedRegex(@"listening on [^:]+:(\d+)")]
    private static partial Regex Listening();
}
