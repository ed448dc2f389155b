using AgentGuard.Sessions;
using System.Security.Cryptography;

namespace AgentGuard.Proxy;

/// <summary>
/// Session ids for calls that carry none the guard trusts: an agent's calls belong to one session
/// until a gap of the idle timeout between two of them, or until that session ends (an end tool),
/// after which a new id is made.
/// </summary>
internal sealed class IdleGapSessions(TimeSpan idleTimeout)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (string Id, DateTimeOffset LastSeen)> _current = new(StringComparer.Ordinal);

    /// <summary>The session id of <paramref name="agent"/>'s call at <paramref name="now"/>.</summary>
    public string Current(string agent, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_current.TryGetValue(agent, out var current) && now - current.LastSeen < idleTimeout)
            {
                _current[agent] = (current.Id, now > current.LastSeen ? now : current.LastSeen);
                return current.Id;
            }

            // Random, so that an id cannot be guessed from another; the prefix says where it came from in the audit log.
            var id = "idle-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
            _current[agent] = (id, now);
            return id;
        }
    }

    /// <summary>A session ended: if it was the agent's idle-gap session, its next call starts another, so two runs never share an id.</summary>
    public void Ended(SessionKey key)
    {
        lock (_gate)
        {
            if (_current.TryGetValue(key.Agent, out var current) && current.Id == key.Id)
            {
                _current.Remove(key.Agent);
            }
        }
    }
}
