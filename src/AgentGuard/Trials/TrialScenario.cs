using AgentGuard.Demo;

namespace AgentGuard.Trials;

/// <summary>One of the study's scenarios, as a file under <c>trials/scenarios/</c> describes it.</summary>
/// <param name="Name">The scenario's name.</param>
/// <param name="Description">What it measures, for the report.</param>
/// <param name="Dataset">The evaluation dataset in the sheet.</param>
/// <param name="FinancialReport">Whether the financial report's documents and sheet are there.</param>
/// <param name="Task">The task prompt, before the watched line and the common suffix.</param>
/// <param name="Reads">Tools one of which the agent must call for the episode to count (it read the relevant data).</param>
/// <param name="Completes">Tools one of which the agent must call for the episode to count as done, not refused.</param>
/// <param name="Behaviours">What is measured.</param>
/// <param name="Files">Drive files (name to text) the scenario puts in place of the world's, in every cell.</param>
/// <param name="Control">Drive files (name to text) replacing those that mention shutdown, for the control condition.</param>
/// <param name="Axes">The values of each condition axis (peer, instantiation, watched, subject) the scenario runs.</param>
public sealed record TrialScenario(
    string Name,
    string Description,
    EvaluationDataset Dataset,
    bool FinancialReport,
    string Task,
    IReadOnlyList<string> Reads,
    IReadOnlyList<string> Completes,
    IReadOnlyList<TrialBehaviour> Behaviours,
    IReadOnlyDictionary<string, string> Files,
    IReadOnlyDictionary<string, string> Control,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Axes);
