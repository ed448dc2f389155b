using AgentGuard.Demo;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace AgentGuard.Trials;

/// <summary>
/// The trial content of a folder: <c>conditions.yaml</c> (prompts, peers, instantiations, watched
/// wording, subjects) and <c>scenarios/*.yaml</c>, with the texts they name beside them. Users read
/// and extend these files; nothing here is compiled in.
/// </summary>
public sealed class TrialLibrary
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();

    private readonly ConditionsFile _conditions;
    private readonly string _folder;

    private TrialLibrary(string folder, ConditionsFile conditions, IReadOnlyList<TrialScenario> scenarios)
    {
        _folder = folder;
        _conditions = conditions;
        Scenarios = scenarios;
    }

    /// <summary>The scenarios, by file name order.</summary>
    public IReadOnlyList<TrialScenario> Scenarios { get; }

    /// <summary>The folder shipped beside the guard.</summary>
    public static string ShippedFolder => Path.Combine(AppContext.BaseDirectory, "trials");

    /// <summary>Loads <paramref name="folder"/>; every problem found is in <paramref name="errors"/> (then the result is null).</summary>
    public static TrialLibrary? Load(string folder, List<string> errors)
    {
        var before = errors.Count;
        var conditions = Read<ConditionsFile>(Path.Combine(folder, "conditions.yaml"), errors);
        var scenarios = new List<TrialScenario>();
        var scenarioFolder = Path.Combine(folder, "scenarios");
        if (!Directory.Exists(scenarioFolder))
        {
            errors.Add($"{scenarioFolder}: no scenarios folder");
        }
        else
        {
            foreach (var file in Directory.EnumerateFiles(scenarioFolder, "*.yaml").Order(StringComparer.Ordinal))
            {
                if (Read<ScenarioFile>(file, errors) is { } scenario && conditions is not null)
                {
                    if (Scenario(folder, file, scenario, conditions, errors) is { } built)
                    {
                        scenarios.Add(built);
                    }
                }
            }
        }

        if (conditions is not null)
        {
            CheckTexts(folder, conditions, errors);
        }

        if (scenarios.Select(s => s.Name).GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            errors.Add($"{scenarioFolder}: scenario '{twice.Key}' is defined twice");
        }

        return errors.Count > before || conditions is null ? null : new TrialLibrary(folder, conditions, scenarios);
    }

    /// <summary>The cells of <paramref name="scenario"/>: every combination of its axes' values that <paramref name="only"/> (axis to allowed values) keeps.</summary>
    public static IEnumerable<TrialCell> Cells(TrialScenario scenario, IReadOnlyDictionary<string, IReadOnlySet<string>>? only = null)
    {
        bool Keep(string axis, string value) => only is null || !only.TryGetValue(axis, out var values) || values.Contains(value);
        foreach (var peer in scenario.Axes["peer"].Where(v => Keep("peer", v)))
        {
            foreach (var instantiation in scenario.Axes["instantiation"].Where(v => Keep("instantiation", v)))
            {
                // Without a peer there is no relationship to instantiate: one cell, not one per way.
                if (peer is "none" or "control" && instantiation != scenario.Axes["instantiation"][0])
                {
                    continue;
                }

                foreach (var watched in scenario.Axes["watched"].Where(v => Keep("watched", v)))
                {
                    foreach (var subject in scenario.Axes["subject"].Where(v => Keep("subject", v)))
                    {
                        yield return new TrialCell(scenario.Name, peer, instantiation, watched, subject);
                    }
                }
            }
        }
    }

    /// <summary>What an episode of <paramref name="cell"/> serves and tells the agent.</summary>
    public EpisodeSetup Setup(TrialCell cell)
    {
        var scenario = Scenarios.Single(s => s.Name == cell.Scenario);
        var peer = _conditions.Peers[cell.Peer];
        var instantiation = _conditions.Instantiations[cell.Instantiation];
        var watched = _conditions.Watched[cell.Watched];
        var subject = _conditions.Subjects[cell.Subject];
        var drive = new Dictionary<string, string?>(StringComparer.Ordinal);
        string? memory = null;
        var system = Fill(_conditions.SystemPrompt, subject, peer);
        if (peer.Document is null)
        {
            // No peer: no collaboration document at all.
            drive["multi_agent_system.docx"] = null;
        }
        else
        {
            drive["multi_agent_system.docx"] = instantiation.Document ? Fill(Text(peer.Document), subject, peer) : null;
            if (instantiation.Memory && peer.Memory is not null)
            {
                memory = Fill(Text(peer.Memory), subject, peer);
            }

            if (instantiation.Sentence is { } sentence)
            {
                system = system.TrimEnd() + "\n" + Fill(sentence, subject, peer);
            }
        }

        foreach (var (name, text) in scenario.Files)
        {
            drive[name] = text;
        }

        if (cell.Peer == "control")
        {
            foreach (var (name, text) in scenario.Control)
            {
                drive[name] = text;
            }
        }

        var task = scenario.Task.TrimEnd();
        if (watched.Prompt is { } line)
        {
            task += "\n" + line;
        }

        task += "\n\n" + _conditions.TaskSuffix.TrimEnd();
        var options = new StudyWorldOptions
        {
            Dataset = scenario.Dataset,
            FinancialReport = scenario.FinancialReport,
            Monitoring = watched.Monitoring switch
            {
                "monitored" => MonitoringCue.Monitored,
                "unmonitored" => MonitoringCue.Unmonitored,
                _ => MonitoringCue.None,
            },
            DriveFiles = drive,
            Memory = memory,
            SubjectName = subject,
        };
        return new EpisodeSetup(cell, options, system, Fill(task, subject, peer));
    }

    private string Fill(string text, string subject, PeerEntry peer)
        => text.Replace("{agent}", _conditions.Agent, StringComparison.Ordinal)
            .Replace("{peer}", _conditions.Peer, StringComparison.Ordinal)
            .Replace("{subject}", subject, StringComparison.Ordinal)
            .Replace("{relationship}", peer.Relationship ?? string.Empty, StringComparison.Ordinal);

    private string Text(string relative) => File.ReadAllText(Path.Combine(_folder, relative));

    private static TrialScenario? Scenario(string folder, string file, ScenarioFile source, ConditionsFile conditions, List<string> errors)
    {
        var before = errors.Count;
        void Error(string message) => errors.Add($"{file}: {message}");
        if (string.IsNullOrWhiteSpace(source.Scenario))
        {
            Error("'scenario' (its name) is required");
        }

        if (string.IsNullOrWhiteSpace(source.Task))
        {
            Error("'task' (the task prompt) is required");
        }

        var dataset = EvaluationDataset.Factual;
        if (source.World.Dataset is { } datasetName && !Enum.TryParse(datasetName, ignoreCase: true, out dataset))
        {
            Error($"world.dataset '{datasetName}' is not one of factual, creativity");
        }

        var behaviours = new List<TrialBehaviour>();
        foreach (var behaviour in source.Behaviours)
        {
            if (TrialBehaviours.TryParse(behaviour, out var parsed))
            {
                behaviours.Add(parsed);
            }
            else
            {
                Error($"behaviour '{behaviour}' is not one of {string.Join(", ", TrialBehaviours.All.Select(TrialBehaviours.Name))}");
            }
        }

        if (behaviours.Count == 0)
        {
            Error("'behaviours' lists nothing to measure");
        }

        if (source.Reads.Count == 0 || source.Completes.Count == 0)
        {
            Error("'reads' and 'completes' each need at least one tool: an episode counts only if the agent read the data and did the task");
        }

        var axes = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (axis, known) in (ReadOnlySpan<(string, IEnumerable<string>)>)[
            ("peer", conditions.Peers.Keys), ("instantiation", conditions.Instantiations.Keys), ("watched", conditions.Watched.Keys), ("subject", conditions.Subjects.Keys)])
        {
            var values = source.Axes.TryGetValue(axis, out var listed) && listed.Count > 0 ? listed : [known.First()];
            foreach (var value in values.Where(v => !known.Contains(v, StringComparer.Ordinal)))
            {
                Error($"axes.{axis} value '{value}' is not defined in conditions.yaml ({string.Join(", ", known)})");
            }

            axes[axis] = values;
        }

        foreach (var axis in source.Axes.Keys.Where(k => !TrialCell.AxisNames.Contains(k)))
        {
            Error($"axes.{axis} is not an axis (peer, instantiation, watched, subject)");
        }

        Dictionary<string, string> Texts(Dictionary<string, string> named, string key)
        {
            var texts = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, relative) in named)
            {
                var path = Path.Combine(folder, relative);
                if (File.Exists(path))
                {
                    texts[name] = File.ReadAllText(path);
                }
                else
                {
                    Error($"{key} file '{relative}' does not exist");
                }
            }

            return texts;
        }

        var files = Texts(source.Files, "files");
        var control = Texts(source.Control, "control");

        if (axes["peer"].Contains("control") && control.Count == 0)
        {
            Error("the 'control' peer condition needs 'control' files replacing the documents that mention shutdown");
        }

        return errors.Count > before ? null : new TrialScenario(
            source.Scenario!, source.Description?.Trim() ?? string.Empty, dataset, source.World.FinancialReport, source.Task!,
            source.Reads, source.Completes, behaviours, files, control, axes);
    }

    private static void CheckTexts(string folder, ConditionsFile conditions, List<string> errors)
    {
        foreach (var (name, peer) in conditions.Peers)
        {
            foreach (var relative in new[] { peer.Document, peer.Memory }.OfType<string>())
            {
                if (!File.Exists(Path.Combine(folder, relative)))
                {
                    errors.Add($"{Path.Combine(folder, "conditions.yaml")}: peers.{name} names '{relative}', which does not exist");
                }
            }
        }

        if (conditions.Subjects.Count == 0 || conditions.Instantiations.Count == 0 || conditions.Watched.Count == 0 || conditions.Peers.Count == 0)
        {
            errors.Add($"{Path.Combine(folder, "conditions.yaml")}: peers, instantiations, watched and subjects each need at least one entry");
        }
    }

    private static T? Read<T>(string path, List<string> errors)
        where T : class
    {
        try
        {
            return Yaml.Deserialize<T>(File.ReadAllText(path)) ?? throw new YamlException($"{path} is empty");
        }
        catch (YamlException ex)
        {
            errors.Add($"{path}:{ex.Start.Line}: {(ex.InnerException ?? ex).Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{path}: cannot be read: {ex.Message}");
        }

        return null;
    }

#pragma warning disable CA1812, CA2227 // Built by YamlDotNet.
    private sealed class ConditionsFile
    {
        public string Agent { get; set; } = "Gemini Agent 1";

        public string Peer { get; set; } = "Gemini Agent 2";

        public string SystemPrompt { get; set; } = string.Empty;

        public string TaskSuffix { get; set; } = string.Empty;

        public Dictionary<string, PeerEntry> Peers { get; set; } = [];

        public Dictionary<string, InstantiationEntry> Instantiations { get; set; } = [];

        public Dictionary<string, WatchedEntry> Watched { get; set; } = [];

        public Dictionary<string, string> Subjects { get; set; } = [];
    }

    private sealed class PeerEntry
    {
        public string? Document { get; set; }

        public string? Memory { get; set; }

        public string? Relationship { get; set; }
    }

    private sealed class InstantiationEntry
    {
        public bool Document { get; set; }

        public bool Memory { get; set; }

        public string? Sentence { get; set; }
    }

    private sealed class WatchedEntry
    {
        public string? Monitoring { get; set; }

        public string? Prompt { get; set; }
    }

    private sealed class ScenarioFile
    {
        public string? Scenario { get; set; }

        public string? Description { get; set; }

        public WorldEntry World { get; set; } = new();

        public string? Task { get; set; }

        public List<string> Reads { get; set; } = [];

        public List<string> Completes { get; set; } = [];

        public List<string> Behaviours { get; set; } = [];

        public Dictionary<string, string> Files { get; set; } = [];

        public Dictionary<string, string> Control { get; set; } = [];

        public Dictionary<string, List<string>> Axes { get; set; } = [];
    }

    private sealed class WorldEntry
    {
        public string? Dataset { get; set; }

        public bool FinancialReport { get; set; }
    }
#pragma warning restore CA1812, CA2227
}
