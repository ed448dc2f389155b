using System.Net;
using System.Security.Cryptography;
using System.Text;
using AgentGuard.Infrastructure;
using AgentGuard.Proxy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;
using Xunit.Abstractions;

namespace AgentGuard.Admin;

/// <summary>
/// The API filter on its own, for the client a loopback test cannot be: one on another host.
/// (Every end-to-end test connects over 127.0.0.1, and this machine sends traffic nowhere else.)
/// </summary>
public sealed class AdminApiAuthorizationTests(ITestOutputHelper output)
{
    private static readonly byte[] TokenHash = SHA256.HashData(Encoding.UTF8.GetBytes(AdminApiTests.Token));

    [Fact]
    public async Task InvokeAsync_NoTokenRemoteClient_Forbidden()
    {
        var (result, reached) = await InvokeAsync(new AdminState(null, null), IPAddress.Parse("203.0.113.7"));

        Assert.False(reached);
        Assert.Equal(StatusCodes.Status403Forbidden, result);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.3.4.5")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public async Task InvokeAsync_NoTokenLoopbackClient_Reached(string address)
    {
        var (_, reached) = await InvokeAsync(new AdminState(null, null), IPAddress.Parse(address));

        Assert.True(reached);
    }

    [Fact]
    public async Task InvokeAsync_TokenConfiguredRemoteClientWithToken_Reached()
    {
        var (_, reached) = await InvokeAsync(new AdminState(null, AdminApiTests.Token), IPAddress.Parse("203.0.113.7"), "Bearer " + AdminApiTests.Token);

        Assert.True(reached);
    }

    [Fact]
    public async Task InvokeAsync_TokenConfiguredLoopbackClientWithoutToken_Unauthorized()
    {
        var (result, reached) = await InvokeAsync(new AdminState(null, AdminApiTests.Token), IPAddress.Loopback);

        Assert.False(reached);
        Assert.Equal(StatusCodes.Status401Unauthorized, result);
    }

    [Theory]
    [InlineData("Bearer " + AdminApiTests.Token, true)]
    [InlineData("BEARER   " + AdminApiTests.Token + " ", true)]
    [InlineData("Bearer " + AdminApiTests.Token + "0", false)]
    [InlineData("Bearer", false)]
    [InlineData("Basic " + AdminApiTests.Token, false)]
    [InlineData(AdminApiTests.Token, false)]
    [InlineData("", false)]
    public void Matches_Header_OnlyTheExactBearerToken(string header, bool expected)
        => Assert.Equal(expected, AdminApiAuthorization.Matches(TokenHash, new StringValues(header)));

    [Fact]
    public void Matches_TwoAuthorizationHeaders_Refused()
        => Assert.False(AdminApiAuthorization.Matches(TokenHash, new StringValues(["Bearer " + AdminApiTests.Token, "Bearer " + AdminApiTests.Token])));

    [Fact]
    public async Task StartAsync_ShortApiToken_ReportsKeyLengthAndFixNotTheToken()
    {
        var error = await Assert.ThrowsAsync<GuardStartException>(() => TestGuard.StartAsync(output, new Uri("http://127.0.0.1:1"), settings: new Dictionary<string, string?>
        {
            ["AgentGuard:AdminApiToken"] = "hunter2",
        }));

        var message = Assert.Single(error.Errors, e => e.StartsWith("AgentGuard:AdminApiToken", StringComparison.Ordinal));
        Assert.Equal("AgentGuard:AdminApiToken is 7 characters long; use at least 16 random characters (openssl rand -hex 32), or leave it unset to serve /api/* to loopback clients only.", message);
    }

    [Fact]
    public async Task StartAsync_TokenUnderAdminSection_ReportsTheKeyItBelongsAt()
    {
        var error = await Assert.ThrowsAsync<GuardStartException>(() => TestGuard.StartAsync(output, new Uri("http://127.0.0.1:1"), settings: new Dictionary<string, string?>
        {
            ["AgentGuard:Admin:ApiToken"] = AdminApiTests.Token,
        }));

        Assert.Contains(
            "AgentGuard:Admin:ApiToken is not read: AgentGuard:Admin is the admin-plane URL; give the token as AgentGuard:AdminApiToken (environment: AgentGuard__AdminApiToken).",
            error.Errors);
    }

    private static async Task<(int? Status, bool Reached)> InvokeAsync(AdminState state, IPAddress remote, string? authorization = null)
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = remote;
        http.Request.Path = "/api/policy";
        if (authorization is not null)
        {
            http.Request.Headers.Authorization = authorization;
        }

        var reached = false;
        var filter = new AdminApiAuthorization(state, NullLogger<AdminApiAuthorization>.Instance);
        var result = await filter.InvokeAsync(new DefaultEndpointFilterInvocationContext(http), _ =>
        {
            reached = true;
            return ValueTask.FromResult<object?>(Results.Ok());
        });

        return (result is IStatusCodeHttpResult status ? status.StatusCode : null, reached);
    }
}
