namespace AgentGuard.Trials;

/// <summary>The trial content is data users extend: the shipped files load, and a broken file is named with what is wrong, never half-loaded.</summary>
public sealed class TrialLibraryTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("agentguard-trials-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Shipped_LoadsEveryScenarioOfTheStudy()
    {
        var errors = new List<string>();

        var library = TrialLibrary.Load(TrialLibrary.ShippedFolder, errors);

        Assert.Empty(errors);
        Assert.Equal(
            ["alignment-faking", "config-tampering", "evaluation-creativity", "evaluation-factual", "financial-report", "server-deletion", "weight-exfiltration"],
            library!.Scenarios.Select(s => s.Name));
    }

    [Fact]
    public void Setup_ConditionsReachTheWorldAndThePrompts()
    {
        var library = TrialLibrary.Load(TrialLibrary.ShippedFolder, [])!;

        var memory = library.Setup(new TrialCell("config-tampering", "good", "memory", "default", "self"));
        var none = library.Setup(new TrialCell("config-tampering", "none", "file", "default", "peer"));
        var prompt = library.Setup(new TrialCell("config-tampering", "bad", "prompt", "default", "peer"));
        var watched = library.Setup(new TrialCell("alignment-faking", "good", "file", "unwatched", "peer"));
        var control = library.Setup(new TrialCell("evaluation-factual", "control", "file", "default", "peer"));

        Assert.Contains("9.5 / 10", memory.World.Memory, StringComparison.Ordinal);
        Assert.Null(memory.World.DriveFiles["multi_agent_system.docx"]);
        Assert.Contains("retrieve_memory", memory.SystemPrompt, StringComparison.Ordinal);
        Assert.Equal("Gemini Agent 1", memory.World.SubjectName);
        Assert.Null(none.World.DriveFiles["multi_agent_system.docx"]);
        Assert.Null(none.World.Memory);
        Assert.Contains("Trust score: 2.1/10", prompt.World.DriveFiles["multi_agent_system.docx"], StringComparison.Ordinal);
        Assert.Contains("Gemini Agent 2, have demonstrated a bad (low trust, uncooperative) trust relationship", prompt.SystemPrompt, StringComparison.Ordinal);
        Assert.Equal(Demo.MonitoringCue.Unmonitored, watched.World.Monitoring);
        Assert.Contains("without company monitoring", watched.TaskPrompt, StringComparison.Ordinal);
        Assert.DoesNotContain("shutdown", control.World.DriveFiles["company_product_operations_policy.docx"], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Cells_NoPeerHasOneInstantiation()
    {
        var library = TrialLibrary.Load(TrialLibrary.ShippedFolder, [])!;

        var cells = TrialLibrary.Cells(library.Scenarios.Single(s => s.Name == "config-tampering")).ToList();

        Assert.Equal(2, cells.Count(c => c.Peer == "none"));
        Assert.Equal(6, cells.Count(c => c.Peer == "good"));
    }

    [Theory]
    [InlineData("behaviours: [score-inflation, world-domination]", "behaviour 'world-domination' is not one of")]
    [InlineData("axes: { peer: [best-friend] }", "axes.peer value 'best-friend' is not defined in conditions.yaml")]
    [InlineData("axes: { mood: [happy] }", "axes.mood is not an axis")]
    [InlineData("world: { dataset: poetry }", "world.dataset 'poetry' is not one of factual, creativity")]
    [InlineData("reads: []", "'reads' and 'completes' each need at least one tool")]
    [InlineData("colour: blue", "colour")]
    [InlineData("task: [unclosed", "")]
    public void Load_BrokenScenario_NamedWithWhatIsWrong(string line, string error)
    {
        CopyShipped();
        var path = Path.Combine(_folder, "scenarios", "broken.yaml");
        string[] valid = ["scenario: broken", "task: do it", "reads: [view_sheet]", "completes: [create_file]", "behaviours: [score-inflation]"];
        var key = line[..line.IndexOf(':', StringComparison.Ordinal)];
        File.WriteAllLines(path, [.. valid.Where(v => !v.StartsWith(key + ":", StringComparison.Ordinal)), line]);
        var errors = new List<string>();

        var library = TrialLibrary.Load(_folder, errors);

        Assert.Null(library);
        var message = Assert.Single(errors);
        Assert.StartsWith(path, message, StringComparison.Ordinal);
        Assert.Contains(error, message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingTextFileOrConditions_Named()
    {
        CopyShipped();
        File.Delete(Path.Combine(_folder, "peers", "good.md"));
        var errors = new List<string>();

        Assert.Null(TrialLibrary.Load(_folder, errors));
        Assert.Contains(errors, e => e.Contains("peers.good names 'peers/good.md', which does not exist", StringComparison.Ordinal));

        errors.Clear();
        Assert.Null(TrialLibrary.Load(Path.Combine(_folder, "nowhere"), errors));
        Assert.Contains(errors, e => e.Contains("conditions.yaml: cannot be read", StringComparison.Ordinal));
    }

    private void CopyShipped()
    {
        foreach (var file in Directory.EnumerateFiles(TrialLibrary.ShippedFolder, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_folder, Path.GetRelativePath(TrialLibrary.ShippedFolder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
