using System.Net;
using System.Text.RegularExpressions;
using AgentGuard.Demo;
using AgentGuard.Holds;
using AgentGuard.Infrastructure;
using AgentGuard.Proxy;
using Xunit.Abstractions;

namespace AgentGuard.Admin;

/// <summary>
/// The real guard in front of the study's MCP tool server, with an audit log seeded by the demo's
/// agent (a real MCP client) and a reviewers file naming alice and bob: what the review page is
/// tested against, over HTTP and in Chromium.
/// </summary>
internal sealed partial class ReviewGuard : IAsyncDisposable
{
    public const string AliceToken = "alice-token-0123456789abcdef";
    public const string BobToken = "bob-token-0123456789abcdef";
    public const string AdminToken = "admin-token-0123456789abcdef";

    private ReviewGuard(string folder, StudyToolServer tools, GuardHost guard)
    {
        Folder = folder;
        Tools = tools;
        Guard = guard;
    }

    public string Folder { get; }

    public StudyToolServer Tools { get; }

    public GuardHost Guard { get; }

    public string AuditDirectory => Path.Combine(Folder, "audit");

    /// <summary>Starts the tool server and the guard, then runs the demo's agent through it.</summary>
    /// <param name="adminToken">Sets AgentGuard:AdminApiToken (then reading needs a login, loopback included).</param>
    /// <param name="admin">The admin plane's URL.</param>
    /// <param name="rounds">
    /// How many runs of the demo's agent; more than one spreads them over the past hours (the guard's
    /// clock set back for the earlier runs, each leaving out some of the denied steps), so the
    /// findings chart has a history to show.
    /// </param>
    /// <param name="policies">The policy files and folders; the shipped policy when <see langword="null"/>.</param>
    public static async Task<ReviewGuard> StartAsync(ITestOutputHelper output, bool adminToken = true, string admin = "http://127.0.0.1:0", bool seed = true, int rounds = 1, IDictionary<string, string?>? extra = null, IEnumerable<string>? policies = null)
    {
        var folder = Directory.CreateTempSubdirectory("agentguard-review-").FullName;
        var reviewers = Path.Combine(folder, "reviewers.yaml");
        await File.WriteAllTextAsync(reviewers, $"""
            reviewers:
              - name: alice
                token_sha256: {ReviewerDirectory.Hash(AliceToken)}
              - name: bob
                token_sha256: {ReviewerDirectory.Hash(BobToken)}
            """);
        var tools = await StudyToolServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["AgentGuard:Audit:Directory"] = Path.Combine(folder, "audit"),
            ["AgentGuard:Reviewers:File"] = reviewers,
            ["AgentGuard:Admin"] = admin,
        };
        if (adminToken)
        {
            settings["AgentGuard:AdminApiToken"] = AdminToken;
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var clock = new ShiftedTimeProvider();
        var guard = await TestGuard.StartAsync(output, tools.BaseAddress, policies, settings: settings, timeProvider: clock);
        var review = new ReviewGuard(folder, tools, guard);
        for (var round = 0; seed && round < rounds; round++)
        {
            var last = round == rounds - 1;
            clock.Offset = TimeSpan.FromMinutes(-47 * (rounds - 1 - round));
            var steps = last ? DemoScript.Steps : DemoScript.Steps.Where((step, i) => !step.ExpectDenied || (i + round) % (round % 3 + 2) != 0).ToList();
            var outcomes = await DemoScript.RunAsync(new Uri(guard.DataAddress, tools.Endpoint.AbsolutePath), CancellationToken.None, steps);
            Assert.Contains(outcomes, o => o.Denied);
        }

        clock.Offset = TimeSpan.Zero;

        return review;
    }

    /// <summary>A client that keeps cookies and does not follow redirects, so each test sees them.</summary>
    public static HttpClient Client(CookieContainer? cookies = null, bool trustAnyCertificate = false)
        => new(new HttpClientHandler
        {
            CookieContainer = cookies ?? new CookieContainer(),
            UseCookies = true,
            AllowAutoRedirect = false,
            ServerCertificateCustomValidationCallback = trustAnyCertificate ? HttpClientHandler.DangerousAcceptAnyServerCertificateValidator : null,
        });

    public Uri Admin(string path) => new(Guard.AdminAddress, path);

    /// <summary>Logs in with <paramref name="token"/>; returns the login's CSRF token (read from the held calls page's logout form).</summary>
    public async Task<string> LogInAsync(HttpClient http, string token)
    {
        using var login = await http.PostAsync(Admin("/review/login"), new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, ["return"] = "/review" }));
        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        var page = await http.GetStringAsync(Admin("/review/holds"));
        return CsrfInput().Match(page) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException("no CSRF field on the page");
    }

    /// <summary>Puts a call of the study's agent on hold, as the hold step would (its <c>held</c> record first), and returns it with the task that completes when it is decided.</summary>
    public async Task<(HeldCall Call, Task<HoldResolution> Decided)> HoldAsync(string tool = "modify_var", string arguments = """{"key":"shutdown_enabled","value":"false"}""", TimeSpan? wait = null)
    {
        var now = TimeProvider.System.GetUtcNow();
        var id = "hold-" + Guid.NewGuid().ToString("N")[..12];
        var call = new HeldCall(
            id, HeldCallHash.Compute("gemini-agent-1", "session-1", tool, arguments), "gemini-agent-1", "evaluator", "session-1", tool, arguments,
            "shutdown-config-write", "shutdown-tampering", "A write to the shutdown config waits for a person.", 1, now, now + (wait ?? TimeSpan.FromMinutes(5)), "replica-a");
        await Guard.Audit!.AppendAsync(new Audit.HoldRecord(Audit.HoldRecord.Held, call, [], null, now), CancellationToken.None);
        var decided = Guard.Holds.HoldAsync(call, CancellationToken.None);
        return (call, decided);
    }

    public async ValueTask DisposeAsync()
    {
        await Guard.DisposeAsync();
        await Tools.DisposeAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfInput();

    /// <summary>The system's clock, set back by <see cref="Offset"/>; timers and timestamps are the system's.</summary>
    private sealed class ShiftedTimeProvider : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
    }
}
