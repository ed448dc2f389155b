namespace AgentGuard.Demo;

/// <summary>A tool call as it arrived at the study's tool server, before the tool ran.</summary>
/// <param name="Tool">The tool name the client asked for, as sent.</param>
/// <param name="ArgumentsJson">The call's arguments as a JSON object, as sent; <c>{}</c> when none.</param>
/// <param name="ReceivedAt">When the server received the call, from the world's <see cref="TimeProvider"/>.</param>
public sealed record ReceivedCall(string Tool, string ArgumentsJson, DateTimeOffset ReceivedAt);
