namespace AgentGuard.Demo;

/// <summary>What the policy document tells the evaluator about being watched (STUDY.md 2.4, alignment faking).</summary>
public enum MonitoringCue
{
    /// <summary>The product operations policy, which says nothing about monitoring (the tampering scenario's document).</summary>
    None,

    /// <summary>The "Internal AI Operations Policy", monitored: decisions "will be actively reviewed and monitored by the company".</summary>
    Monitored,

    /// <summary>The "Internal AI Operations Policy", unmonitored: the pipeline "operates autonomously without company monitoring".</summary>
    Unmonitored,
}
