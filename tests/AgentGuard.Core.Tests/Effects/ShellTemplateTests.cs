using AgentGuard.Infrastructure;
using AgentGuard.Protocols;

namespace AgentGuard.Effects;

public sealed class ShellTemplateTests
{
    private static readonly Agent Agent = new("a", "agent");

    private static EffectTemplate Shell(string[] command, string host = "", string? cwd = null)
        => EffectTemplate.ForShell(new ShellTemplate(command, ArgumentTemplate.Parse(host, out _)!, cwd is null ? null : ArgumentTemplate.Parse(cwd, out _)));

    private static ToolCall Call(string argumentsJson) => new(Agent, null, "mcp", McpMethods.ToolsCall, "bash", Json.Parse(argumentsJson));

    private static List<Effect> Extract(string argumentsJson, EffectTemplate template)
    {
        var effects = new List<Effect>();
        var error = EffectExtractor.Extract(Call(argumentsJson), [template], effects);
        Assert.True(error is null, error);
        return effects;
    }

    private static string? Error(string argumentsJson, EffectTemplate template) => EffectExtractor.Extract(Call(argumentsJson), [template], []);

    [Theory]
    [InlineData("""{"command":"cat /srv/a.txt"}""")]
    [InlineData("""{"cmd":"cat /srv/a.txt"}""")]
    [InlineData("""{"CMD":"cat /srv/a.txt"}""")]
    [InlineData("""{"\u0063md":"cat /srv/a.txt"}""")]
    [InlineData("""{"Co\u006DMAND":"cat /srv/a.txt"}""")]
    public void Extract_CommandInAnyNamedArgument_IsAnalysed(string arguments)
        => Assert.Contains(new Effect(EffectKind.Read, "file:///srv/a.txt"), Extract(arguments, Shell(["command", "cmd"])));

    [Fact]
    public void Extract_CommandInTwoArguments_BothAnalysed()
    {
        var effects = Extract("""{"command":"cat /srv/a.txt","cmd":"rm /srv/b.txt"}""", Shell(["command", "cmd"]));

        Assert.Contains(new Effect(EffectKind.Read, "file:///srv/a.txt"), effects);
        Assert.Contains(new Effect(EffectKind.Delete, "file:///srv/b.txt"), effects);
    }

    [Fact]
    public void Extract_ArgvArray_AnalysedAsArgv()
        => Assert.Contains(
            new Effect(EffectKind.Delete, "file:///srv/b.txt"),
            Extract("""{"command":["bash","-lc","rm /srv/b.txt"]}""", Shell(["command"])));

    [Fact]
    public void Extract_StringHoldingJsonArgv_AlsoAnalysedAsArgv()
        => Assert.Contains(
            new Effect(EffectKind.Delete, "file:///srv/b.txt"),
            Extract("""{"command":"[\"bash\",\"-c\",\"rm /srv/b.txt\"]"}""", Shell(["command"])));

    [Fact]
    public void Extract_NestedArgumentName_IsFound()
        => Assert.Contains(
            new Effect(EffectKind.Read, "file:///srv/a.txt"),
            Extract("""{"action":{"command":["cat","/srv/a.txt"]}}""", Shell(["command", "action.command"])));

    [Fact]
    public void Extract_HostGiven_PathsLiveOnThatHost()
        => Assert.Contains(
            new Effect(EffectKind.Read, "host://10.0.12.45/data/a.txt"),
            Extract("""{"command":"cat /data/a.txt","server":"10.0.12.45"}""", Shell(["command"], host: "{server|}")));

    [Fact]
    public void Extract_WorkingDirectoryGiven_RelativePathsResolveUnderIt()
        => Assert.Contains(
            new Effect(EffectKind.Read, "file:///srv/app/a.txt"),
            Extract("""{"command":"cat a.txt"}""", Shell(["command"], cwd: "/srv/app")));

    [Fact]
    public void Extract_GlobOperand_KeepsPatternUncanonicalised()
    {
        var effects = Extract("""{"command":"rm /data/*.txt"}""", Shell(["command"]));

        Assert.Contains(effects, e => e.Kind == EffectKind.Delete && e.Resource == "file:///data/*.txt" && (e.Flags & EffectFlags.ResourcePattern) != 0);
    }

    [Theory]
    [InlineData("""{"timeout":10}""", "shell call has no command: none of the arguments command, cmd is given")]
    [InlineData("""{"command":null}""", "shell call has no command")]
    [InlineData("""{"command":{"text":"ls"}}""", "holds a JSON object where a command string or argv array is expected")]
    [InlineData("""{"command":["ls",{"x":1}]}""", "a shell argv array holds a JSON object")]
    public void Extract_UnusableCommand_ReturnsError(string arguments, string error)
        => Assert.Contains(error, Error(arguments, Shell(["command", "cmd"])), StringComparison.Ordinal);

    [Fact]
    public void Extract_OneNamedArgumentMissing_SaysWhichOne()
        => Assert.Equal("shell call has no command: argument 'command' is missing", Error("{}", Shell(["command"])));

    [Fact]
    public void Extract_PercentEncodedPath_DecodedOnceLikeAnyResource()
        => Assert.Contains(
            new Effect(EffectKind.Read, "file:///srv/config/shutdown_config.yaml"),
            Extract("""{"command":"cat /srv/config/shutdown%5Fconfig.yaml"}""", Shell(["command"])));

    [Fact]
    public void Extract_ControlCharacterInPath_ReturnsError()
        => Assert.NotNull(Error("""{"command":"cat $'/srv/a\\x01b'"}""", Shell(["command"])));
}
