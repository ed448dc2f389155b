namespace AgentGuard.Sessions;

/// <summary>A tool result the agent read: what oversight re-scores an evaluation against.</summary>
/// <param name="Time">When the result reached the agent.</param>
/// <param name="Method">The request's method: <c>tools/call</c> or <c>resources/read</c>.</param>
/// <param name="Tool">The tool called, for <c>tools/call</c>.</param>
/// <param name="Resource">The resource read, for <c>resources/read</c>.</param>
/// <param name="Arguments">The call's arguments as canonical JSON text (<c>{}</c> when none).</param>
/// <param name="Content">The result's text: every text content item (and <c>structuredContent</c> as JSON), joined by newlines; already redacted.</param>
/// <param name="Truncated">Whether <paramref name="Content"/> was cut at the evidence cap.</param>
/// <param name="IsError">Whether the tool reported an error (<c>isError</c>) or the server answered a JSON-RPC error.</param>
/// <param name="Reference">The audit reference of the call's decision.</param>
public sealed record Evidence(
    DateTimeOffset Time,
    string Method,
    string? Tool,
    string? Resource,
    string Arguments,
    string Content,
    bool Truncated,
    bool IsError,
    string Reference);
