namespace AgentGuard.Effects;

/// <summary>How exactly an effect's resources are known.</summary>
[Flags]
public enum EffectFlags
{
    None = 0,

    /// <summary>
    /// The resource is a pattern, not one name: a shell glob (<c>*</c>, <c>?</c>, <c>[...]</c>)
    /// with <c>**</c> for any number of segments and <c>\</c> before a literal metacharacter. The
    /// effect touches an asset when some name the pattern matches is in it.
    /// </summary>
    ResourcePattern = 1,

    /// <summary>The destination is a pattern, as for <see cref="ResourcePattern"/>.</summary>
    DestinationPattern = 2,

    /// <summary>
    /// The effect comes from something that could not be read statically (inline interpreter
    /// code, a computed command); its resource is a name found in it, or <c>shell:opaque</c>.
    /// </summary>
    Opaque = 4,
}
