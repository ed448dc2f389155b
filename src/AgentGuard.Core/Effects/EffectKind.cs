namespace AgentGuard.Effects;

/// <summary>What a call does to a resource.</summary>
public enum EffectKind
{
    Read,
    Write,
    Delete,
    Copy,
    Move,
    Exec,
    Egress,
    SetTime,
    Lifecycle,
}
