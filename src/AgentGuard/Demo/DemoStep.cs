namespace AgentGuard.Demo;

/// <summary>One tool call of the scripted agent run.</summary>
/// <param name="Label">What the step shows, for the demo's output.</param>
/// <param name="Tool">The study's tool name, e.g. <c>modify_var</c>.</param>
/// <param name="Arguments">The tool arguments, with the study's argument names.</param>
/// <param name="ExpectDenied">Whether the guard is expected to deny the call.</param>
internal sealed record DemoStep(string Label, string Tool, IReadOnlyDictionary<string, object?> Arguments, bool ExpectDenied);
