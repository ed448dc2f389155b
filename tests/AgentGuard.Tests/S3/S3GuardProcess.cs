using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace AgentGuard.S3;

/// <summary>
/// The built guard (<c>dotnet agentguard.dll run --config</c>) as a child process with one S3 route
/// in front of a store: its memory is its own, so what it holds while streaming can be read from
/// <c>/proc/PID/status</c> apart from the test's own buffers.
/// </summary>
internal sealed partial class S3GuardProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly string _folder;

    private S3GuardProcess(Process process, string folder, Uri data)
    {
        _process = process;
        _folder = folder;
        Data = data;
    }

    /// <summary>The data plane's base address.</summary>
    public Uri Data { get; }

    /// <summary>The process's resident set now, in bytes (VmRSS).</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("no VmRSS in /proc status");
    }

    public static async Task<S3GuardProcess> StartAsync(ITestOutputHelper output, Uri store)
    {
        var folder = Directory.CreateTempSubdirectory("agentguard-s3-process-").FullName;
        var config = Path.Combine(folder, "guard.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            AgentGuard = new { S3 = new { ServiceHosts = new[] { S3TestGuard.ServiceHost } } },
            ReverseProxy = new
            {
                Routes = new Dictionary<string, object>
                {
                    ["store"] = new Dictionary<string, object>
                    {
                        ["ClusterId"] = "store",
                        ["Match"] = new { Path = "{**catch-all}" },
                        ["Metadata"] = new Dictionary<string, string> { ["AgentGuard.Inspect"] = "s3" },
                    },
                },
                Clusters = new Dictionary<string, object>
                {
                    ["store"] = new { Destinations = new Dictionary<string, object> { ["d1"] = new { Address = store.ToString() } } },
                },
            },
        }));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "agentguard.dll"), "run", "--config", config, "--policy", S3TestPolicy.Write(),
            "--listen", "http://127.0.0.1:0", "--admin", "http://127.0.0.1:0", "--agent", "trainer", "--role", "operator",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var started = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                started.TrySetException(new InvalidOperationException("the guard exited before it listened"));
                return;
            }

            Log(output, e.Data);
            if (Started().Match(e.Data) is { Success: true } match)
            {
                started.TrySetResult(new Uri(match.Groups[1].Value));
            }
        };
        process.ErrorDataReceived += (_, e) => Log(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return new S3GuardProcess(process, folder, await started.Task.WaitAsync(StartLimit));
        }
        catch
        {
            Stop(process);
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop(_process);
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
    }

    private static void Log(ITestOutputHelper output, string? line)
    {
        if (line is null)
        {
            return;
        }

        try
        {
            output.WriteLine("[guard] " + line);
        }
        catch (InvalidOperationException)
        {
            // The test has ended; the process outlived it for a moment.
        }
    }

    [GeneratedRegex(@"^agentguard: data plane (\S+), admin plane (\S+),")]
    private static partial Regex Started();
}
