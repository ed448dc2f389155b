namespace AgentGuard.Effects;

/// <summary>What one call does to one canonical resource.</summary>
/// <param name="Kind">What is done.</param>
/// <param name="Resource">The canonical resource URI acted on (the source, for copy and move).</param>
/// <param name="Destination">The canonical destination for copy, move and egress; otherwise <see langword="null"/>.</param>
/// <param name="Value">The value written, for writes that carry one (a config value, a shell command).</param>
/// <param name="Flags">Whether the resource or destination is a pattern, and whether the effect is opaque.</param>
/// <param name="Format">
/// The model format the written content was recognised as by its bytes (<see cref="Content.ModelFormatSniffer"/>),
/// or <see langword="null"/>: an asset that lists the format holds the resource whatever its name.
/// </param>
public sealed record Effect(EffectKind Kind, string Resource, string? Destination = null, string? Value = null, EffectFlags Flags = EffectFlags.None, Content.ModelFormat? Format = null);
