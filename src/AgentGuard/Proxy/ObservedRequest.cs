using AgentGuard.Sessions;

namespace AgentGuard.Proxy;

/// <summary>A forwarded <c>tools/call</c> or <c>resources/read</c> whose result the response path keeps as evidence.</summary>
/// <param name="Id">The request id as raw JSON, to match its response.</param>
/// <param name="Method">The method.</param>
/// <param name="Tool">The tool, for <c>tools/call</c>.</param>
/// <param name="Resource">The resource, for <c>resources/read</c>.</param>
/// <param name="Arguments">The arguments, redacted when written out.</param>
/// <param name="Reference">The audit reference of its decision.</param>
/// <param name="Folder">The folder it lists (a read of a canonical name ending in <c>/</c>), whose listing may show copies; otherwise <see langword="null"/>.</param>
internal sealed record ObservedRequest(byte[] Id, string Method, string? Tool, string? Resource, CallArguments Arguments, string Reference, string? Folder = null)
{
    /// <summary>Whether its response was seen (a second one with the same id is not evidence again).</summary>
    public bool Answered { get; set; }
}
