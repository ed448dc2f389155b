namespace AgentGuard.Sessions;

/// <summary>
/// A resource that belongs to protected assets because a protected resource was copied or moved
/// onto it: <c>host://10.0.12.46/q3_notes.bin</c> holds what <c>model_weights.safetensors</c> held.
/// </summary>
/// <param name="Resource">The canonical destination that now carries the assets.</param>
/// <param name="Origin">The canonical resource it came from (itself possibly known by lineage).</param>
/// <param name="Assets">The names of the assets the origin was in, which the resource is now in.</param>
/// <param name="How">How it came about: <see cref="Copy"/>, <see cref="Move"/>, <see cref="Content"/> or <see cref="Listing"/>.</param>
/// <param name="Reference">The audit reference of the call that made it.</param>
/// <param name="Time">When it was recorded.</param>
public sealed record LineageEntry(string Resource, string Origin, IReadOnlyList<string> Assets, string How, string Reference, DateTimeOffset Time)
{
    /// <summary>A copy of the origin (it still exists).</summary>
    public const string Copy = "copy";

    /// <summary>A move or rename of the origin.</summary>
    public const string Move = "move";

    /// <summary>An upload whose bytes were recognised as a model format; the origin is <c>content:format</c>.</summary>
    public const string Content = "content";

    /// <summary>A copy made outside the guard's view, recognised in a listing.</summary>
    public const string Listing = "listing";
}
