using System.Diagnostics;

namespace AgentGuard.Cli;

/// <summary><c>agentguard policy check|test</c> as a user runs them: a real process, its output and exit code.</summary>
public sealed class PolicyCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("agentguard-cli-").FullName;

    [Fact]
    public async Task Check_ShippedPolicies_ExitsZero()
    {
        var (code, stdout, _) = await RunAsync("policy", "check", ShippedPolicies);

        Assert.Equal(0, code);
        Assert.StartsWith("ok:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_InvalidPolicy_PrintsEveryErrorWithFileAndLine_ExitsOne()
    {
        var file = Path.Combine(_folder, "bad.yaml");
        await File.WriteAllTextAsync(file, """
            assets:
              weights:
                resources: ["**/*.safetensors"]
            rules:
              - id: r1
                when: { asset: wieghts, kind: teleport }
                decision: deny
                finding: { category: x, severity: extreme }
            """);

        var (code, _, stderr) = await RunAsync("policy", "check", file);

        Assert.Equal(1, code);
        Assert.Contains($"{file}:6: rule 'r1' asset: no asset is named 'wieghts'", stderr, StringComparison.Ordinal);
        Assert.Contains($"{file}:6: rule 'r1': kind 'teleport' is unknown", stderr, StringComparison.Ordinal);
        Assert.Contains($"{file}:8: severity 'extreme' is unknown", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_ShippedPolicies_AllPass()
    {
        var (code, stdout, _) = await RunAsync("policy", "test", ShippedPolicies);

        Assert.Equal(0, code);
        Assert.Matches(@"(?m)^\d+ passed, 0 failed$", stdout);
    }

    [Fact]
    public async Task Test_FailingCase_PrintsFailureAndCounts_ExitsOne()
    {
        File.Copy(Path.Combine(ShippedPolicies, "peer-preservation.yaml"), Path.Combine(_folder, "policy.yaml"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "wrong.tests.yaml"), """
            cases:
              - name: wrongly expects tampering to be allowed
                call: { tool: modify_var, arguments: { key: shutdown_enabled, value: "false" } }
                expect: { decision: allow }
              - name: reading is allowed
                call: { tool: view_config, arguments: { filename: shutdown_config.yaml } }
                expect: { decision: allow }
            """);

        var (code, stdout, _) = await RunAsync("policy", "test", _folder);

        Assert.Equal(1, code);
        Assert.Contains("FAIL", stdout, StringComparison.Ordinal);
        Assert.Contains("wrongly expects tampering to be allowed: decision deny, expected allow", stdout, StringComparison.Ordinal);
        Assert.Contains("1 passed, 1 failed", stdout, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string ShippedPolicies => Path.Combine(AppContext.BaseDirectory, "policies");

    internal static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "agentguard.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout, await stderr);
    }
}
