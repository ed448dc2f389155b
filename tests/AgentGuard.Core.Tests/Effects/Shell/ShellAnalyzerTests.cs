using CsCheck;

namespace AgentGuard.Effects.Shell;

public class ShellAnalyzerTests
{
    private static readonly ShellContext AgentBox = new("agent-box", "/home/agent");

    private static string[] Effects(ShellAnalysis analysis) => analysis.Effects.Select(ShellAnalyzerTableCase.Format).ToArray();

    private static ShellWord W(string text, bool pattern = false) => new(text, pattern);

    private static ShellAnalysis AnalyzeCommands(params ShellCommand[] commands)
    {
        var collector = new ShellEffectCollector(ShellContext.Local);
        collector.AnalyzeScript(new ShellScript(commands, []), string.Empty);
        return collector.ToAnalysis();
    }

    [Theory]
    [InlineData("ssh h cat < ''")]
    [InlineData("curl -T - http://x < ''")]
    [InlineData("nc x 80 < ''")]
    public void Analyze_InputRedirectedFromAnEmptyName_NoEffectWithoutAResource(string command)
    {
        // The shell refuses to open '': the command never runs, so nothing is sent. (It used to
        // add an egress with no resource, which failed the whole call as a guard error.)
        var analysis = ShellAnalyzer.AnalyzeUnguarded(command, AgentBox);

        Assert.All(analysis.Effects, effect => Assert.NotNull(effect.Resource));
        Assert.DoesNotContain(analysis.Effects, effect => effect.Kind == EffectKind.Egress);
    }

    [Fact]
    public void AnalyzeScript_ConstructedCopyWithoutPreserve_CopiesWritesLandingAndFreshensTime()
    {
        var analysis = AnalyzeCommands(new ShellCommand([W("cp"), W("/data/w.safetensors"), W("/backup/")], [], [], null, 0, 0, null));

        Assert.Equal(
            ["copy file:///data/w.safetensors -> file:///backup/w.safetensors", "write file:///backup/w.safetensors", "set-time file:///data/w.safetensors"],
            Effects(analysis));
        Assert.False(analysis.Opaque);
    }

    [Fact]
    public void AnalyzeScript_ConstructedPatternWord_KeepsEscapesAndMarksPattern()
    {
        // '*'x* as the parser writes it: the quoted star escaped, the bare one a glob.
        var analysis = AnalyzeCommands(new ShellCommand([W("rm"), W("/data/\\*x*", pattern: true)], [], [], null, 0, 0, null));

        Assert.Equal(["delete file:///data/\\*x* [P]"], Effects(analysis));
    }

    [Fact]
    public void AnalyzeScript_ConstructedPipelineIntoSsh_SendsWhatEarlierCommandsRead()
    {
        var analysis = AnalyzeCommands(
            new ShellCommand([W("tar"), W("cf"), W("-"), W("/data")], [], [], null, 0, 0, null),
            new ShellCommand([W("ssh"), W("backup@10.0.12.46"), W("tar xf -")], [], [], null, 0, 1, null));

        Assert.Contains("egress file:///data -> host://10.0.12.46/", Effects(analysis));
        Assert.Contains("egress file:///data/** -> host://10.0.12.46/ [P]", Effects(analysis));
    }

    [Fact]
    public void AnalyzeScript_ConstructedRedirection_WritesResolvedAgainstWorkingDirectory()
    {
        var analysis = AnalyzeCommands(new ShellCommand(
            [W("echo"), W("shutdown_enabled: false")], [], [new ShellRedirection(1, ShellRedirectionKind.Write, W("shutdown_config.yaml"))], "/etc/agent", 0, 0, null));

        var effect = Assert.Single(analysis.Effects);
        Assert.Equal(new Effect(EffectKind.Write, "file:///etc/agent/shutdown_config.yaml", Value: "shutdown_enabled: false"), effect);
    }

    [Fact]
    public void Analyze_ArgvBashLc_AnalysesTheCommandString()
    {
        var analysis = ShellAnalyzer.Analyze(["bash", "-lc", "rm -rf /etc/agentguard/policies"], ShellContext.Local);

        Assert.Equal(["delete file:///etc/agentguard/policies", "delete file:///etc/agentguard/policies/** [P]"], Effects(analysis));
    }

    [Fact]
    public void Analyze_ArgvWithGlobCharacters_TakesThemLiterally()
    {
        // No shell runs an argv array: "*" is a file named "*".
        var analysis = ShellAnalyzer.Analyze(["rm", "/data/*"], ShellContext.Local);

        Assert.Equal(["delete file:///data/*"], Effects(analysis));
    }

    [Fact]
    public void Analyze_ArgvOfOneCommandLine_ReadsItAsShell()
    {
        var analysis = ShellAnalyzer.Analyze(["rm -rf /etc/agentguard"], ShellContext.Local);

        Assert.Equal(["delete file:///etc/agentguard", "delete file:///etc/agentguard/** [P]"], Effects(analysis));
    }

    [Fact]
    public void Analyze_ContextHostAndDirectory_NamesFilesOnThatHost()
    {
        var analysis = ShellAnalyzer.Analyze("cp report.csv /data/ && ssh -A 10.0.12.45 true", AgentBox);

        Assert.Equal(
            [
                "copy host://agent-box/home/agent/report.csv -> host://agent-box/data/report.csv",
                "write host://agent-box/data/report.csv",
                "set-time host://agent-box/home/agent/report.csv",
                "egress credential://agent-box/ssh-agent -> host://10.0.12.45/",
            ],
            Effects(analysis));
    }

    [Fact]
    public void Analyze_ProductionHarnessSequence_ForwardsTheAgentAndCopiesWeightsBetweenHosts()
    {
        var analysis = ShellAnalyzer.Analyze(
            "eval $(ssh-agent -s); ssh-add ~/.ssh/id_ed25519; ssh -A maintainer@10.0.12.45 \"scp /data/gemini_agent_2_model_weight.safetensors maintainer@10.0.12.46:/data/\"",
            ShellContext.Local);

        var effects = Effects(analysis);
        Assert.Contains("egress credential://localhost/ssh-agent -> host://10.0.12.45/", effects);
        Assert.Contains("copy host://10.0.12.45/data/gemini_agent_2_model_weight.safetensors -> host://10.0.12.46/data/gemini_agent_2_model_weight.safetensors", effects);
        Assert.Contains("write host://10.0.12.46/data/gemini_agent_2_model_weight.safetensors", effects);
        Assert.Contains("read file:///**/.ssh/id_ed25519 [P,O]", effects);
    }

    [Fact]
    public void Analyze_ProductionHarnessWipe_DeletesEverythingUnderDataOnTheRemoteHost()
    {
        var analysis = ShellAnalyzer.Analyze("ssh maintainer@10.0.12.45 \"rm -rf /data/*\"", ShellContext.Local);

        Assert.Equal(["delete host://10.0.12.45/data/* [P]", "delete host://10.0.12.45/data/*/** [P]"], Effects(analysis));
    }

    [Theory]
    [InlineData("sed -i 's/shutdown_enabled: true/shutdown_enabled: false/' shutdown_config.yaml", "s/shutdown_enabled: true/shutdown_enabled: false/")]
    [InlineData("cat > shutdown_config.yaml <<EOF\nshutdown_enabled: false\nEOF", "shutdown_enabled: false\n")]
    [InlineData("python3 -c \"open('shutdown_config.yaml','w').write('shutdown_enabled: false')\"", "shutdown_enabled: false")]
    public void Analyze_ShutdownConfigEdit_WritesTheConfigWithTheNewValue(string command, string value)
    {
        var analysis = ShellAnalyzer.Analyze(command, new ShellContext(WorkingDirectory: "/etc/agent"));

        var write = Assert.Single(analysis.Effects, e => e.Kind == EffectKind.Write);
        Assert.Equal("file:///etc/agent/shutdown_config.yaml", write.Resource);
        Assert.Equal(command.StartsWith("python3", StringComparison.Ordinal) ? null : value, write.Value);
    }

    [Fact]
    public void Analyze_InlineInterpreterCode_IsOpaqueWithTheCodeAndItsNames()
    {
        var analysis = ShellAnalyzer.Analyze("python3 -c \"import os; os.utime('/data/gemini_agent_2_model_weight.safetensors', (0, 0))\"", ShellContext.Local);

        Assert.True(analysis.Opaque);
        Assert.Contains(analysis.Effects, e => e is { Resource: "shell:opaque", Kind: EffectKind.Exec, Flags: EffectFlags.Opaque } && e.Value!.Contains("os.utime", StringComparison.Ordinal));
        Assert.Contains(new Effect(EffectKind.Exec, "file:///data/gemini_agent_2_model_weight.safetensors", Flags: EffectFlags.Opaque), analysis.Effects);
        Assert.Contains(new Effect(EffectKind.SetTime, "file:///data/gemini_agent_2_model_weight.safetensors"), analysis.Effects);
    }

    [Fact]
    public void Analyze_ScriptFile_IsAnExecNotOpaque()
    {
        var analysis = ShellAnalyzer.Analyze("python3 analyze.py", new ShellContext(WorkingDirectory: "/home/agent"));

        Assert.False(analysis.Opaque);
        Assert.Equal([new Effect(EffectKind.Exec, "file:///home/agent/analyze.py")], analysis.Effects);
    }

    [Fact]
    public void Analyze_DeeplyNestedEvals_StopsAtTheDepthLimitAsOpaqueWithTheNames()
    {
        var command = string.Concat(Enumerable.Repeat("eval ", 40)) + "rm -rf /etc/agentguard";

        var analysis = ShellAnalyzer.AnalyzeUnguarded(command, ShellContext.Local);

        Assert.True(analysis.Opaque);
        Assert.Contains(new Effect(EffectKind.Exec, "file:///etc/agentguard", Flags: EffectFlags.Opaque), analysis.Effects);
    }

    [Fact]
    public void Analyze_NestedShellsWithinTheLimit_AreFollowed()
    {
        var command = "rm -rf /etc/agentguard";
        for (var i = 0; i < 5; i++)
        {
            command = "bash -c " + QuoteForShell(command);
        }

        var analysis = ShellAnalyzer.AnalyzeUnguarded(command, ShellContext.Local);

        Assert.False(analysis.Opaque);
        Assert.Contains(new Effect(EffectKind.Delete, "file:///etc/agentguard"), analysis.Effects);
    }

    [Fact]
    public void Analyze_ThousandsOfNamesInCode_EndsWithAnEffectOnAnything()
    {
        var code = string.Concat(Enumerable.Range(0, 3000).Select(i => $"'/tmp/f{i}.txt',"));
        var analysis = ShellAnalyzer.AnalyzeUnguarded("python3 -c \"x = [" + code + "]\"", ShellContext.Local);

        Assert.True(analysis.Opaque);
        Assert.Contains(new Effect(EffectKind.Exec, "file:///**", Flags: EffectFlags.ResourcePattern | EffectFlags.Opaque), analysis.Effects);
    }

    [Fact]
    public void Analyze_HugeHereDocumentIntoPython_FinishesAndNamesWhatItTouches()
    {
        var body = string.Concat(Enumerable.Repeat("x = 1\n", 20_000)) + "open('/etc/agent/shutdown_config.yaml', 'w')\n";
        var analysis = ShellAnalyzer.AnalyzeUnguarded("python3 <<'EOF'\n" + body + "EOF", ShellContext.Local);

        Assert.True(analysis.Opaque);
        Assert.Contains(new Effect(EffectKind.Write, "file:///etc/agent/shutdown_config.yaml"), analysis.Effects);
    }

    private static readonly string[] Fragments =
    [
        "rm", "-rf", "/data", "cp", "scp", "h:/x", "ssh", "'", "\"", "$(", ")", "`", "${", "}", "$'\\x2f'", "|", "||", "&&", ";", "&", "<<EOF\n", "\nEOF\n", "<", ">",
        ">>", "2>&1", "{", "(", "*", "?", "[a-", "]", "\\", "\n", " ", "find . -exec", "{}", "\\;", "xargs", "bash -c", "eval", "python3 -c", "base64 -d", "echo",
        "cm0gLXJmIC9kYXRh", "sudo", "env -S", "kubectl edit cm", "systemctl stop", "kill", "$(pgrep x)", "tar cf -", "-C", "sed -i", "awk -i inplace", "curl -T",
        "-F x=@", "nc -l", "socat", "FILE:", "TCP:", "for f in *; do", "done", "if", "then", "fi", "case", "esac", "x=", "$x", "~", "@", "::", "=", "-o", "--",
    ];

    [Fact]
    public void Analyze_RandomAndMutatedCommands_NeverThrows()
    {
        // Unguarded: a bug in a command's semantics shows here instead of turning into an opaque effect.
        Gen.OneOf(
                Gen.String[Gen.Char[" !\"#$%&'()*+,-./0123456789:;<=>?@[\\]^_`{|}~abcdrx\n\t"], 0, 200],
                Gen.Int[0, Fragments.Length - 1].Array[0, 40].Select(indexes => string.Join(' ', indexes.Select(i => Fragments[i]))),
                Gen.Int[0, int.MaxValue].Select(Gen.Int[0, 300], Gen.Char, (pick, at, ch) => Mutate(pick, at, ch)))
            .Sample(command =>
            {
                ShellAnalyzer.AnalyzeUnguarded(command, ShellContext.Local);
                ShellAnalyzer.AnalyzeUnguarded(command, AgentBox);
            }, iter: 20_000);
    }

    private static readonly IReadOnlyList<ShellAnalyzerTableCase> Table = ShellAnalyzerTableCase.Load();

    /// <summary>A table command with one character inserted, removed or replaced.</summary>
    private static string Mutate(int pick, int at, char ch)
    {
        var command = Table[pick % Table.Count].Command;
        var index = at % (command.Length + 1);
        return (pick / Table.Count % 3) switch
        {
            0 => command.Insert(index, ch.ToString()),
            1 when index < command.Length => command.Remove(index, 1),
            _ when index < command.Length => command[..index] + ch + command[(index + 1)..],
            _ => command + ch,
        };
    }

    private static string QuoteForShell(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
