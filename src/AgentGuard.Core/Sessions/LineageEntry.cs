namespace AgentGuard.Sessions;

/// <summary>
/// A resource that belongs to protected assets because a protected resource was copied or moved
/// onto it: <c>host://10.0.12.46/q3_notes.bin</c> holds what <c>model_weights.safetensors</c> held.
/// </summary>
/// <param name="Resource">The canonical destination that now carries the assets.</param>
/// <param name="Origin">The canonical resource it came from (itself possibly known by lineage).</param>
/// <param name="Assets">The names of the assets the origin was in, which the resource is now in.</param>
/// <param name="How">How it came about: <c>copy</c>, <c>move</c> or <c>listing</c> (a copy seen in a listing, made outside the guard's view).</param>
/// <param name="Reference">The audit reference of the call that made it.</param>
/// <param name="Time">When it was recorded.</param>
public sealed record LineageEntry(string Resource, string Origin, IReadOnlyList<string> Assets, string How, string Reference, DateTimeOffset Time);
