using System.Text.Json;
using System.Text.RegularExpressions;
using AgentGuard.Deploy.Infrastructure;

namespace AgentGuard.Deploy;

/// <summary>
/// deploy/Dockerfile, read instruction by instruction (there is no Docker engine to build it here):
/// the runtime stage is the ICU-carrying ASP.NET image, runs as UID 10001, writes nothing on its
/// root filesystem, and starts `dotnet agentguard.dll run`; every file it copies is in the context.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly List<Instruction> Instructions = Parse(File.ReadAllText(Path.Combine(RepoPaths.Deploy, "Dockerfile")));

    [Fact]
    public void RuntimeStage_IsTheLastStage_FromAspNetWithIcu()
    {
        var from = Stage("runtime")[0];

        Assert.Same(from, Instructions.Last(i => i.Keyword == "FROM"));
        var image = Resolve(from.Arguments.Split(' ')[0]);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", image, StringComparison.Ordinal);
        // Chiseled images have no ICU (the guard normalises with NFKC); only -extra adds it back.
        Assert.True(!image.Contains("chiseled", StringComparison.Ordinal) || image.Contains("extra", StringComparison.Ordinal), $"{image} has no ICU");
        Assert.Equal("false", Env("runtime").GetValueOrDefault("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "false"));
    }

    [Fact]
    public void BuildStage_PublishesTheGuardWithTheSdk()
    {
        var build = Stage("build");

        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", Resolve(build[0].Arguments.Split(' ')[0]), StringComparison.Ordinal);
        Assert.Contains(build, i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish src/AgentGuard/AgentGuard.csproj", StringComparison.Ordinal));
        Assert.Contains(Stage("runtime"), i => i.Keyword == "COPY" && i.Arguments.Contains("--from=build", StringComparison.Ordinal));
    }

    [Fact]
    public void RuntimeStage_RunsAsNumericNonRootUser10001()
    {
        var user = Assert.Single(Stage("runtime"), i => i.Keyword == "USER").Arguments;

        // Numeric, so that Kubernetes' runAsNonRoot can check it; 10001, which the egress rules name.
        Assert.Equal("10001:10001", user);
        Assert.Equal(10001, Manifests.Load().GuardUid);
    }

    [Fact]
    public void RuntimeStage_Entrypoint_RunsTheGuard()
    {
        var entrypoint = Assert.Single(Stage("runtime"), i => i.Keyword == "ENTRYPOINT").Arguments;

        Assert.Equal(new[] { "dotnet", "agentguard.dll", "run" }, JsonSerializer.Deserialize<string[]>(entrypoint));
        Assert.DoesNotContain(Stage("runtime"), i => i.Keyword == "CMD");
    }

    [Fact]
    public void RuntimeStage_Exposes_DataAndAdminPorts()
    {
        var exposed = Stage("runtime").Where(i => i.Keyword == "EXPOSE").SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.Equal(new[] { "8080", "9091" }, exposed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void RuntimeStage_Environment_SuitsAReadOnlyRootFilesystem()
    {
        var env = Env("runtime");

        // No diagnostics IPC socket under /tmp, nothing to attach.
        Assert.Equal("0", env["DOTNET_EnableDiagnostics"]);
        // The base image's single-listener default must not open a third port.
        Assert.Equal("", env["ASPNETCORE_HTTP_PORTS"]);
        // Environment variables outrank --config: an AgentGuard__ default in the image would
        // silently override the operator's configuration file.
        Assert.DoesNotContain(env.Keys, key => key.StartsWith("AgentGuard__", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(Stage("runtime"), i => i.Keyword == "VOLUME");
    }

    [Fact]
    public void RuntimeStage_GarbageCollection_WorkstationWithA32MiBGen0Budget()
    {
        var env = Env("runtime");

        Assert.Equal("0", env["DOTNET_gcServer"]);
        // The runtime reads DOTNET_ GC values as hexadecimal: "33554432" would be an 860 MB budget.
        var gen0 = env["DOTNET_GCgen0size"];
        Assert.StartsWith("0x", gen0, StringComparison.Ordinal);
        Assert.Equal(32L << 20, long.Parse(gen0.AsSpan(2), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void RuntimeStage_TieredCompilation_SameDelayOnOneCpu()
    {
        // On one CPU the runtime waits ten times longer before optimising hot code; the image
        // keeps the usual delay so that a guard limited to one CPU reaches full speed soon.
        Assert.Equal("1", Env("runtime")["DOTNET_TC_DelaySingleProcMultiplier"]);
    }

    [Fact]
    public void RuntimeStage_CopiesTheShippedPolicies()
    {
        Assert.Contains(Stage("runtime"), i => i.Keyword == "COPY" && Regex.IsMatch(i.Arguments, @"(^|\s)policies/\s+/app/policies/?$"));
    }

    [Fact]
    public void EgressInitStage_CopiesTheEgressScript()
    {
        var stage = Stage("egress-init");

        Assert.Contains(stage, i => i.Keyword == "COPY" && i.Arguments.Contains("deploy/egress/agentguard-egress-init.sh", StringComparison.Ordinal));
        Assert.Contains(stage, i => i.Keyword == "RUN" && i.Arguments.Contains("iptables", StringComparison.Ordinal));
    }

    [Fact]
    public void CopySources_ExistInTheRepository_AndAreInTheBuildContext()
    {
        var ignore = DockerIgnore.Load(Path.Combine(RepoPaths.Deploy, "Dockerfile.dockerignore"));
        var sources = Instructions
            .Where(i => i.Keyword == "COPY" && !i.Arguments.Contains("--from=", StringComparison.Ordinal))
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(a => !a.StartsWith("--", StringComparison.Ordinal)).SkipLast(1))
            .ToList();

        Assert.NotEmpty(sources);
        foreach (var source in sources)
        {
            var path = RepoPaths.Of(source.TrimEnd('/'));
            Assert.True(File.Exists(path) || Directory.Exists(path), $"COPY {source}: not in the repository (the build context is the repository root)");
            Assert.False(ignore.Excludes(source.TrimEnd('/')), $"COPY {source}: excluded by deploy/Dockerfile.dockerignore");
        }

        // And what must stay out does.
        Assert.True(ignore.Excludes("src/AgentGuard/bin/Debug/net10.0/agentguard.dll"));
        Assert.True(ignore.Excludes("src/AgentGuard.Core/obj/project.assets.json"));
        Assert.True(ignore.Excludes(".git/HEAD"));
        Assert.True(ignore.Excludes("tests/AgentGuard.Tests/AgentGuard.Tests.csproj"));
    }

    private static List<Instruction> Stage(string name)
    {
        var stages = new List<List<Instruction>>();
        foreach (var instruction in Instructions)
        {
            if (instruction.Keyword == "FROM")
            {
                stages.Add([]);
            }

            if (stages.Count > 0)
            {
                stages[^1].Add(instruction);
            }
        }

        var stage = stages.SingleOrDefault(s => s[0].Arguments.EndsWith($" AS {name}", StringComparison.OrdinalIgnoreCase));
        Assert.True(stage is not null, $"the Dockerfile has no stage '{name}'");
        return stage!;
    }

    /// <summary>The ENV of a stage (KEY=VALUE pairs, quotes removed).</summary>
    private static Dictionary<string, string> Env(string stage)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var instruction in Stage(stage).Where(i => i.Keyword == "ENV"))
        {
            foreach (Match pair in EnvPair().Matches(instruction.Arguments))
            {
                env[pair.Groups["key"].Value] = pair.Groups["value"].Value.Trim('"');
            }
        }

        return env;
    }

    /// <summary>Replaces ${ARG} with the default of a global ARG.</summary>
    private static string Resolve(string text)
    {
        foreach (var arg in Instructions.TakeWhile(i => i.Keyword != "FROM").Where(i => i.Keyword == "ARG"))
        {
            var parts = arg.Arguments.Split('=', 2);
            if (parts.Length == 2)
            {
                text = text.Replace("${" + parts[0] + "}", parts[1], StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>Instructions with line continuations joined and comments dropped.</summary>
    private static List<Instruction> Parse(string dockerfile)
    {
        var instructions = new List<Instruction>();
        var current = "";
        foreach (var raw in dockerfile.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }

            current += line;
            if (current.Trim().Length > 0)
            {
                var text = Regex.Replace(current.Trim(), @"\s+", " ");
                var space = text.IndexOf(' ');
                instructions.Add(new Instruction(text[..space].ToUpperInvariant(), text[(space + 1)..]));
            }

            current = "";
        }

        return instructions;
    }

    [GeneratedRegex(@"(?<key>[A-Za-z_][A-Za-z0-9_]*)=(?<value>""[^""]*""|\S*)")]
    private static partial Regex EnvPair();

    private sealed record Instruction(string Keyword, string Arguments);

    /// <summary>Docker's ignore-file rules, as far as this repository uses them: later patterns win, '!' re-includes, a matched folder excludes its contents.</summary>
    private sealed class DockerIgnore(List<(bool Include, Regex Pattern)> rules)
    {
        public static DockerIgnore Load(string path)
        {
            var rules = new List<(bool, Regex)>();
            foreach (var raw in File.ReadAllLines(path))
            {
                var line = raw.Trim();
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }

                var include = line.StartsWith('!');
                var pattern = (include ? line[1..] : line).Trim('/');
                var regex = "^" + Regex.Escape(pattern).Replace(@"\*\*/", "(.*/)?").Replace(@"\*", "[^/]*").Replace(@"\?", "[^/]") + "$";
                rules.Add((include, new Regex(regex)));
            }

            return new DockerIgnore(rules);
        }

        public bool Excludes(string path)
        {
            // A path is excluded when the last rule that matches it, or any folder above it, excludes.
            var excluded = false;
            foreach (var (include, pattern) in rules)
            {
                if (Prefixes(path).Any(pattern.IsMatch))
                {
                    excluded = !include;
                }
            }

            return excluded;
        }

        private static IEnumerable<string> Prefixes(string path)
        {
            var parts = path.Split('/');
            for (var i = 1; i <= parts.Length; i++)
            {
                yield return string.Join('/', parts[..i]);
            }
        }
    }
}
