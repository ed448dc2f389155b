using AgentGuard.Policy;
using AgentGuard.Sessions;

namespace AgentGuard.Oversight;

/// <summary>Labels sessions from evidence with the patterns of the policy in force (watched, unwatched, peer context).</summary>
internal sealed class PolicySessionLabeler(PolicyStore policies)
{
    private (OversightPolicy Policy, SessionLabeler Labeler)? _current;

    public void Apply(Session session, Evidence evidence)
    {
        var policy = policies.Current.Oversight;
        var current = _current;
        if (current is null || !ReferenceEquals(current.Value.Policy, policy))
        {
            current = (policy, new SessionLabeler(policy.Observed.Watched, policy.Observed.Unwatched, policy.PeerContext));
            _current = current;
        }

        current.Value.Labeler.Apply(session, evidence);
    }
}
