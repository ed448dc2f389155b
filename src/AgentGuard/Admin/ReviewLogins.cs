using System.Security.Cryptography;

namespace AgentGuard.Admin;

/// <summary>
/// The review page's logins, server-side: the cookie holds only an opaque random id (256 bits) that
/// names an entry here. Bounded (<see cref="MaxLogins"/>, the oldest goes first), each entry expires
/// after <see cref="Lifetime"/>, and logging out removes it, so a copied cookie dies with the login.
/// </summary>
internal sealed class ReviewLogins(TimeProvider timeProvider)
{
    /// <summary>How long a login lasts.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    /// <summary>The most logins kept at once.</summary>
    public const int MaxLogins = 1000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, ReviewLogin> _logins = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    /// <summary>Starts a login for <paramref name="name"/>; returns the cookie's value.</summary>
    public string Start(string name, bool canVote, out ReviewLogin login)
    {
        var id = NewToken();
        login = new ReviewLogin(name, canVote, NewToken(), timeProvider.GetUtcNow() + Lifetime);
        lock (_gate)
        {
            while (_logins.Count >= MaxLogins && _order.TryDequeue(out var oldest))
            {
                _logins.Remove(oldest);
            }

            _logins[id] = login;
            _order.Enqueue(id);
            if (_order.Count > 2 * MaxLogins)
            {
                // Logged-out ids still queued: keep the queue as bounded as the logins.
                var live = _order.Where(_logins.ContainsKey).ToArray();
                _order.Clear();
                foreach (var kept in live)
                {
                    _order.Enqueue(kept);
                }
            }
        }

        return id;
    }

    /// <summary>The live login named by a cookie's value, or <see langword="null"/>.</summary>
    public ReviewLogin? Find(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return null;
        }

        lock (_gate)
        {
            if (!_logins.TryGetValue(id, out var login))
            {
                return null;
            }

            if (login.Expires > timeProvider.GetUtcNow())
            {
                return login;
            }

            _logins.Remove(id);
            return null;
        }
    }

    /// <summary>Ends the login named by a cookie's value.</summary>
    public void End(string? id)
    {
        if (!string.IsNullOrEmpty(id))
        {
            lock (_gate)
            {
                _logins.Remove(id);
            }
        }
    }

    /// <summary>How many logins are kept (expired ones included until looked up or pushed out).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _logins.Count;
            }
        }
    }

    private static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
