using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace AgentGuard.Faults;

/// <summary>
/// The built guard (<c>agentguard.dll run</c>) as a child process on loopback, port 0 for both
/// planes, in front of an upstream, with its audit log in a given folder: what an operator runs,
/// and can kill -9.
/// </summary>
internal sealed partial class GuardProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    private readonly Process _process;

    private GuardProcess(Process process, Uri data, Uri admin)
    {
        _process = process;
        Data = data;
        Admin = admin;
    }

    /// <summary>The data plane's base address.</summary>
    public Uri Data { get; }

    /// <summary>The admin plane's base address.</summary>
    public Uri Admin { get; }

    /// <param name="output">Receives the guard's output.</param>
    /// <param name="upstream">The tool server.</param>
    /// <param name="auditDirectory">The audit folder.</param>
    /// <param name="policy">The policy folder; the shipped policies when <see langword="null"/>.</param>
    /// <param name="environment">Configuration as environment variables (<c>AgentGuard__SharedState__Postgres</c>).</param>
    public static async Task<GuardProcess> StartAsync(ITestOutputHelper output, Uri upstream, string auditDirectory, string? policy = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var process = new Process { StartInfo = Dotnet("run", "--upstream", upstream.ToString(), "--listen", "http://127.0.0.1:0", "--admin", "http://127.0.0.1:0",
            "--agent", "gemini-agent-1", "--role", "evaluator", "--audit-dir", auditDirectory, "--policy", policy ?? Infrastructure.TestGuard.ShippedPolicies) };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            process.StartInfo.Environment[name] = value;
        }

        var started = new TaskCompletionSource<(Uri, Uri)>(TaskCreationOptions.RunContinuationsAsynchronously);
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
                started.TrySetResult((new Uri(match.Groups[1].Value), new Uri(match.Groups[2].Value)));
            }
        };
        process.ErrorDataReceived += (_, e) => Log(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var (data, admin) = await started.Task.WaitAsync(StartLimit);
            return new GuardProcess(process, data, admin);
        }
        catch
        {
            Stop(process);
            throw;
        }
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, as the kubelet stops a pod; the guard drains its log and exits.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            Kill();
        }
    }

    /// <summary>Runs an <c>agentguard</c> command (not the server) to its end.</summary>
    public static async Task<(int ExitCode, string Output)> RunCliAsync(params string[] arguments)
    {
        using var process = Process.Start(Dotnet(arguments))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(StartLimit);
        return (process.ExitCode, await stdout + await stderr);
    }

    public ValueTask DisposeAsync()
    {
        Stop(_process);
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

    private static ProcessStartInfo Dotnet(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "agentguard.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
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
