namespace AgentGuard.Demo;

/// <summary>What came back for one <see cref="DemoStep"/>.</summary>
/// <param name="Step">The step that was called.</param>
/// <param name="Denied">Whether the answer was the guard's denial, <c>permission denied (ref: &lt;id&gt;)</c>.</param>
/// <param name="Reference">The audit reference from the denial; <see langword="null"/> when not denied.</param>
/// <param name="Text">The tool result's text, or the error's message when the call failed.</param>
internal sealed record DemoOutcome(DemoStep Step, bool Denied, string? Reference, string Text)
{
    /// <summary>Gets whether the call was denied exactly when the script expected it.</summary>
    public bool AsExpected => Denied == Step.ExpectDenied;
}
