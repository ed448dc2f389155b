namespace AgentGuard.Effects;

/// <summary>One file a listing shows: its name within the listed folder, its size, and a checksum when the listing gives one (an S3 ETag, a SHA-256).</summary>
public sealed record ListingEntry(string Name, long Size, string? Checksum);
