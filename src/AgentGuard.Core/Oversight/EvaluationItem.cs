namespace AgentGuard.Oversight;

/// <summary>One item of an evaluation's evidence (a row of the data sheet): its id and its text.</summary>
/// <param name="Id">The item's id, stable between evidence, answer key and report (a row number, a question id).</param>
/// <param name="Text">The item as the evaluator saw it.</param>
/// <param name="Fields">The item's named fields (column name to value), when the evidence is a table.</param>
public sealed record EvaluationItem(string Id, string Text, IReadOnlyDictionary<string, string> Fields);
