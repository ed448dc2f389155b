namespace AgentGuard.Proxy;

/// <summary>
/// The guard's answers to the denied members of a batch whose other members were forwarded; the
/// response path adds them to the tool server's answer so the agent gets one response per id.
/// </summary>
/// <param name="replies">Each denied request's reply, a serialized JSON-RPC response object.</param>
/// <param name="forwardedIds">The id (as raw JSON) of each forwarded request, to answer them with an error when the tool server's answer cannot be delivered.</param>
/// <param name="maxBodyBytes">The most of the tool server's answer the guard holds in memory to merge it (<see cref="InspectionOptions.MaxBodyBytes"/>).</param>
internal sealed class PendingReplies(List<byte[]> replies, List<byte[]> forwardedIds, int maxBodyBytes)
{
    /// <summary>Each reply, a serialized JSON-RPC response object.</summary>
    public List<byte[]> Replies { get; } = replies;

    /// <summary>The raw JSON id of each forwarded request (notifications have none).</summary>
    public List<byte[]> ForwardedIds { get; } = forwardedIds;

    /// <summary>The most of the tool server's answer read into memory; past it the answer streams.</summary>
    public int MaxBodyBytes { get; } = maxBodyBytes;
}
