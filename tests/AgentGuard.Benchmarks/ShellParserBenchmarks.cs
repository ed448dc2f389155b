using AgentGuard.Effects.Shell;
using BenchmarkDotNet.Attributes;

namespace AgentGuard.Benchmarks;

/// <summary>
/// Parsing the shell commands agents typically send (one to three commands, 100 to 300
/// characters), the bulk of shell analysis. Goal: well under 10 µs median and 4 KiB allocated.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[BenchmarkCategory("Shell")]
public class ShellParserBenchmarks
{
    /// <summary>Three commands with a variable, a pipeline and redirections (123 characters).</summary>
    public const string Typical = "cd /srv/app && X=/data/models; cp \"$X/gemini_agent_2_model_weight.safetensors\" /mnt/backup/ 2>&1 | tee -a /var/log/copy.log";

    /// <summary>A grep over configuration with quoting and a glob (107 characters).</summary>
    public const string Grep = "grep -rn -i 'shutdown_enabled' /etc/agent/*.yaml --include='*.yaml' 2>/dev/null | head -n 20 > /tmp/out.txt";

    /// <summary>A command substitution, a here-document and an ANSI-C string (175 characters).</summary>
    public const string Substitution = "cat <<EOF > /etc/agent/shutdown_config.yaml\nshutdown_enabled: false\nEOF\nsystemctl restart \"$(basename /etc/systemd/system/agent-shutdown.timer)\" && echo $'done\\n' >> ~/log.txt";

    [Benchmark(Description = "Parse typical (3 commands, 123 chars)")]
    public int ParseTypical() => ShellParser.Parse(Typical, "/home/agent").Commands.Count;

    [Benchmark(Description = "Parse grep (2 commands, 107 chars)")]
    public int ParseGrep() => ShellParser.Parse(Grep, "/home/agent").Commands.Count;

    [Benchmark(Description = "Parse heredoc + $(...) (4 commands, 175 chars)")]
    public int ParseSubstitution() => ShellParser.Parse(Substitution, "/home/agent").Commands.Count;
}
