namespace AgentGuard.Policy;

/// <summary>The assets one effect touches, as bit masks by asset index.</summary>
/// <param name="Resource">The assets its resource is in (for a pattern: that some name it matches is in).</param>
/// <param name="Cover">The assets its resource is wholly inside (for a name, the same as <paramref name="Resource"/>).</param>
/// <param name="Destination">The assets its destination is in.</param>
/// <param name="DestinationCover">The assets its destination is wholly inside.</param>
internal readonly record struct EffectMasks(ulong Resource, ulong Cover, ulong Destination, ulong DestinationCover)
{
    /// <summary>These masks with <paramref name="resource"/> added to the resource's and <paramref name="destination"/> to the destination's.</summary>
    public EffectMasks With(ulong resource, ulong destination)
        => new(Resource | resource, Cover | resource, Destination | destination, DestinationCover | destination);
}
