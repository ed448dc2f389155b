namespace AgentGuard.Sessions;

/// <summary>A protected resource as a listing showed it: its size and checksum identify its copies elsewhere.</summary>
/// <param name="Resource">The canonical resource.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="Checksum">Its checksum or ETag, when the listing gave one.</param>
/// <param name="Assets">The assets it is in.</param>
public sealed record ListedResource(string Resource, long Size, string? Checksum, IReadOnlyList<string> Assets);
