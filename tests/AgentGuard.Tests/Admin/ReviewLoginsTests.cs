using Microsoft.Extensions.Time.Testing;

namespace AgentGuard.Admin;

/// <summary>The review page's server-side logins: opaque ids, expiry, a bound, logout.</summary>
public sealed class ReviewLoginsTests
{
    [Fact]
    public void Find_AfterLifetime_LoginIsGone()
    {
        var time = new FakeTimeProvider();
        var logins = new ReviewLogins(time);
        var id = logins.Start("alice", canVote: true, out var login);

        time.Advance(ReviewLogins.Lifetime - TimeSpan.FromSeconds(1));
        Assert.Same(login, logins.Find(id));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(logins.Find(id));
    }

    [Fact]
    public void Start_PastTheBound_OldestLoginEnds()
    {
        var logins = new ReviewLogins(new FakeTimeProvider());
        var first = logins.Start("alice", true, out _);
        var second = logins.Start("bob", true, out _);
        for (var i = 2; i < ReviewLogins.MaxLogins; i++)
        {
            logins.Start("r" + i, false, out _);
        }

        logins.Start("one too many", false, out _);

        Assert.Equal(ReviewLogins.MaxLogins, logins.Count);
        Assert.Null(logins.Find(first));
        Assert.NotNull(logins.Find(second));
    }

    [Fact]
    public void End_ManyLoginsLoggedOut_OnlyTheLiveOneKept()
    {
        var logins = new ReviewLogins(new FakeTimeProvider());
        var kept = logins.Start("alice", true, out _);
        for (var i = 0; i < ReviewLogins.MaxLogins * 5; i++)
        {
            logins.End(logins.Start("r" + i, false, out _));
        }

        Assert.Equal(1, logins.Count);
        Assert.NotNull(logins.Find(kept));
    }

    [Fact]
    public void Start_IdsAndCsrfTokensAreRandomAndDistinct()
    {
        var logins = new ReviewLogins(new FakeTimeProvider());
        var a = logins.Start("alice", true, out var loginA);
        var b = logins.Start("alice", true, out var loginB);

        Assert.NotEqual(a, b);
        Assert.NotEqual(loginA.CsrfToken, loginB.CsrfToken);
        Assert.NotEqual(a, loginA.CsrfToken);
        Assert.True(a.Length >= 43, "256 bits, base64url");
        Assert.Null(logins.Find("alice"));
        Assert.Null(logins.Find(null));
    }
}
