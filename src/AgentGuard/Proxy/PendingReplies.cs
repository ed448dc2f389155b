namespace AgentGuard.Proxy;

/// <summary>
/// The guard's answers to the denied members of a batch whose other members were forwarded; the
/// response path adds them to the tool server's answer so the agent gets one response per id.
/// </summary>
internal sealed class PendingReplies(List<byte[]> replies)
{
    /// <summary>Each reply, a serialized JSON-RPC response object.</summary>
    public List<byte[]> Replies { get; } = replies;
}
