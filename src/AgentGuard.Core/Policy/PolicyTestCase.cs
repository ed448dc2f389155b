namespace AgentGuard.Policy;

/// <summary>One policy test: a call in, the expected decision (and finding, and rule, and effects) out.</summary>
/// <param name="File">The test file.</param>
/// <param name="Line">The line the case starts on.</param>
/// <param name="Name">What the case shows.</param>
/// <param name="Call">The call to decide.</param>
/// <param name="Decision">The expected decision.</param>
/// <param name="Finding">The expected finding category, or <see langword="null"/> to expect none (or not check, see <paramref name="CheckFinding"/>).</param>
/// <param name="CheckFinding">Whether the case states a finding (<c>finding: none</c> states that there is none).</param>
/// <param name="RuleId">The expected rule, when the case names one.</param>
/// <param name="Effects">Effects the call must have (<c>effects:</c>), or <see langword="null"/> when the case states none.</param>
/// <param name="EffectsExact">Whether <paramref name="Effects"/> must be all the effects (<c>only_effects:</c>), not some of them.</param>
public sealed record PolicyTestCase(
    string File,
    int Line,
    string Name,
    ToolCall Call,
    DecisionKind Decision,
    string? Finding,
    bool CheckFinding,
    string? RuleId,
    IReadOnlyList<ExpectedEffect>? Effects = null,
    bool EffectsExact = false);
