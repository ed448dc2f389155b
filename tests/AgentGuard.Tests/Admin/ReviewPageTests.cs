using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using AgentGuard.Holds;
using AgentGuard.Infrastructure;
using Xunit.Abstractions;

namespace AgentGuard.Admin;

/// <summary>
/// The review page on the real admin plane over real sockets, against an audit log the demo's
/// agent wrote through the guard: login and its cookie, CSRF, the loopback rules, filters,
/// paging, one record, held calls, and hostile text from the log kept inert.
/// </summary>
public sealed partial class ReviewPageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Review_AdminTokenConfigured_RedirectsToLoginEvenOnLoopback()
    {
        await using var review = await ReviewGuard.StartAsync(output, seed: false);
        using var http = ReviewGuard.Client();

        using var response = await http.GetAsync(review.Admin("/review/decisions?decision=deny"));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/review/login?return=" + Uri.EscapeDataString("/review/decisions?decision=deny"), response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Review_NoAdminTokenLoopback_ReadsWithoutLoginButCannotVote()
    {
        await using var review = await ReviewGuard.StartAsync(output, adminToken: false);
        using var http = ReviewGuard.Client();
        var (call, decided) = await review.HoldAsync();

        var overview = await http.GetAsync(review.Admin("/review"));
        var holds = await http.GetStringAsync(review.Admin("/review/holds"));
        using var vote = await http.PostAsync(review.Admin("/review/holds/" + call.Id), Form(("verdict", "approve"), ("call_hash", call.CallHash), ("csrf", "")));

        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
        Assert.Contains("Chain verified", await overview.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(call.Id, holds, StringComparison.Ordinal);
        Assert.DoesNotContain("value=\"approve\"", holds, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, vote.StatusCode);
        Assert.Contains(Assert.Single(review.Guard.Holds.Pending()).Call.Id, call.Id, StringComparison.Ordinal);
        Assert.False(decided.IsCompleted);
    }

    [Fact]
    public async Task Login_ReviewerToken_SetsHttpOnlyStrictCookieNotSecureOverHttp_LogoutEndsIt()
    {
        await using var review = await ReviewGuard.StartAsync(output, seed: false);
        var cookies = new CookieContainer();
        using var http = ReviewGuard.Client(cookies);

        using var login = await http.PostAsync(review.Admin("/review/login"), Form(("token", ReviewGuard.AliceToken), ("return", "/review/holds")));

        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        Assert.Equal("/review/holds", login.Headers.Location!.OriginalString);
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith(ReviewAuthentication.CookieName + "=", setCookie, StringComparison.Ordinal);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/review", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", setCookie.Replace("samesite", "", StringComparison.OrdinalIgnoreCase), StringComparison.OrdinalIgnoreCase);

        // The cookie is an opaque id, not the token or anything derived from it.
        var value = setCookie.Split(';')[0][(ReviewAuthentication.CookieName.Length + 1)..];
        Assert.DoesNotContain(ReviewGuard.AliceToken, Uri.UnescapeDataString(value), StringComparison.Ordinal);
        Assert.NotEqual(ReviewerDirectory.Hash(ReviewGuard.AliceToken), value);

        var page = await http.GetAsync(review.Admin("/review/holds"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("alice", html, StringComparison.Ordinal);
        Assert.Equal("no-store", page.Headers.CacheControl!.ToString());
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        var csrf = CsrfValue().Match(html).Groups[1].Value;
        using var logout = await http.PostAsync(review.Admin("/review/logout"), Form(("csrf", csrf)));
        Assert.Equal(HttpStatusCode.SeeOther, logout.StatusCode);

        // The old cookie, replayed, no longer names a login.
        using var replay = new HttpRequestMessage(HttpMethod.Get, review.Admin("/review/holds"));
        replay.Headers.Add("Cookie", ReviewAuthentication.CookieName + "=" + value);
        using var stale = await ReviewGuard.Client().SendAsync(replay);
        Assert.Equal(HttpStatusCode.SeeOther, stale.StatusCode);
    }

    [Theory]
    [InlineData("not-a-token-at-all-0123456")]
    [InlineData("")]
    public async Task Login_WrongToken_401AndNoCookie(string token)
    {
        await using var review = await ReviewGuard.StartAsync(output, seed: false);
        using var http = ReviewGuard.Client();

        using var login = await http.PostAsync(review.Admin("/review/login"), Form(("token", token)));

        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.False(login.Headers.Contains("Set-Cookie"));
        Assert.Contains("not a reviewer", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_PlainHttpFromAnotherHost_RefusedWithoutLookingAtTheToken()
    {
        var address = NonLoopbackAddress();
        Skip.If(address is null, "this machine has no non-loopback IPv4 address to connect from");
        await using var review = await ReviewGuard.StartAsync(output, admin: "http://0.0.0.0:0", seed: false);
        using var http = ReviewGuard.Client();
        var remote = new Uri($"http://{address}:{review.Guard.AdminAddress.Port}/review/login");

        using var login = await http.PostAsync(remote, Form(("token", ReviewGuard.AliceToken)));
        using var loopback = await http.PostAsync(review.Admin("/review/login"), Form(("token", ReviewGuard.AliceToken)));

        Assert.Equal(HttpStatusCode.Forbidden, login.StatusCode);
        Assert.False(login.Headers.Contains("Set-Cookie"));
        Assert.Contains("from this machine only", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, loopback.StatusCode);
    }

    [Fact]
    public async Task Login_AdminPlaneServesHttps_CookieSecure_AcceptedFromAnotherHost()
    {
        var address = NonLoopbackAddress();
        Skip.If(address is null, "this machine has no non-loopback IPv4 address to connect from");
        var pfx = Path.Combine(Directory.CreateTempSubdirectory("agentguard-cert-").FullName, "admin.pfx");
        using (var key = System.Security.Cryptography.ECDsa.Create())
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=agentguard-admin", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllBytesAsync(pfx, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "pw"));
        }

        await using var review = await ReviewGuard.StartAsync(output, admin: "https://0.0.0.0:0", seed: false, extra: new Dictionary<string, string?>
        {
            ["AgentGuard:AdminCertificate:Path"] = pfx,
            ["AgentGuard:AdminCertificate:Password"] = "pw",
        });
        using var http = ReviewGuard.Client(trustAnyCertificate: true);

        using var login = await http.PostAsync(new Uri($"https://{address}:{review.Guard.AdminAddress.Port}/review/login"), Form(("token", ReviewGuard.AliceToken)));

        Assert.Equal("https", review.Guard.AdminAddress.Scheme);
        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.Contains("; secure", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("https://127.0.0.1:0", null, "no certificate is configured")]
    [InlineData("http://127.0.0.1:0", "/nonexistent/admin.pfx", "use an https:// admin URL")]
    [InlineData("https://127.0.0.1:0", "/nonexistent/admin.pfx", "cannot be loaded")]
    public void Certificate_Misconfigured_ClearError(string admin, string? path, string message)
    {
        var errors = new List<string>();

        var certificate = ReviewCertificate.Load(new ReviewCertificateOptions { Path = path }, admin, errors);

        Assert.Null(certificate);
        Assert.Contains(message, Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_CrossSiteOrigin_Refused()
    {
        await using var review = await ReviewGuard.StartAsync(output, seed: false);
        using var http = ReviewGuard.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, review.Admin("/review/login")) { Content = Form(("token", ReviewGuard.AliceToken)) };
        request.Headers.Add("Origin", "http://evil.example");

        using var login = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, login.StatusCode);
        Assert.False(login.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Vote_ReviewerWithCsrf_ReleasesTheHoldApprovedByName()
    {
        await using var review = await ReviewGuard.StartAsync(output, seed: false);
        using var http = ReviewGuard.Client();
        var csrf = await review.LogInAsync(http, ReviewGuard.AliceToken);
        var (call, decided) = await review.HoldAsync();

        var page = await http.GetStringAsync(review.Admin("/review/holds"));
        Assert.Contains(call.CallHash, page, StringComparison.Ordinal);
        using var vote = await http.PostAsync(review.Admin("/review/holds/" + call.Id), Form(("csrf", csrf), ("call_hash", call.CallHash), ("verdict", "approve"), ("reason", "checked with the owner")));

        Assert.Equal(HttpStatusCode.SeeOther, vote.StatusCode);
        var resolution = await decided.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HoldOutcome.Approved, resolution.Outcome);
        Assert.Equal(["alice"], resolution.Reviewers);
        var after = await http.GetStringAsync(new Uri(review.Guard.AdminAddress, vote.Headers.Location!));
        Assert.Contains("Approved: the call is released.", after, StringComparison.Ordinal);
        await Poll.UntilAsync(() => File.ReadLines(Directory.GetFiles(review.AuditDirectory, "*.jsonl").Single()).Any(l => l.Contains("\"event\":\"vote\"", StringComparison.Ordinal) && l.Contains("\"alice\"", StringComparison.Ordinal)), "the vote record naming alice");
    }

    [Fact]
    public async Task Vote_WithoutOrWithWrongCsrf_Refused_HoldStillPending()
    {
        await using var review = await ReviewGuard.StartAsync(output, seed: false);
        using var http = ReviewGuard.Client();
        var csrf = await review.LogInAsync(http, ReviewGuard.AliceToken);
        var (call, decided) = await review.HoldAsync();

        using var missing = await http.PostAsync(review.Admin("/review/holds/" + call.Id), Form(("call_hash", call.CallHash), ("verdict", "approve")));
        using var wrong = await http.PostAsync(review.Admin("/review/holds/" + call.Id), Form(("csrf", csrf + "x"), ("call_hash", call.CallHash), ("verdict", "approve")));
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, review.Admin("/review/holds/" + call.Id)) { Content = Form(("csrf", csrf), ("call_hash", call.CallHash), ("verdict", "approve")) };
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var fromElsewhere = await http.SendAsync(crossSite);

        Assert.Equal(HttpStatusCode.Forbidden, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, fromElsewhere.StatusCode);
        Assert.Contains("CSRF", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(review.Guard.Holds.Pending());
        Assert.False(decided.IsCompleted);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("http://evil.example")]
    [InlineData("http://127.0.0.1")]
    public async Task Vote_OriginNotThisSite_Refused(string origin)
    {
        await using var review = await ReviewGuard.StartAsync(output, seed: false);
        using var http = ReviewGuard.Client();
        var csrf = await review.LogInAsync(http, ReviewGuard.AliceToken);
        var (call, decided) = await review.HoldAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, review.Admin("/review/holds/" + call.Id)) { Content = Form(("csrf", csrf), ("call_hash", call.CallHash), ("verdict", "approve")) };
        request.Headers.Add("Origin", origin);

        using var vote = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, vote.StatusCode);
        Assert.Contains("another site", await vote.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(decided.IsCompleted);
    }

    [Fact]
    public async Task Vote_AdminTokenLogin_ReadsButCannotVote()
    {
        await using var review = await ReviewGuard.StartAsync(output, seed: false);
        using var http = ReviewGuard.Client();
        var csrf = await review.LogInAsync(http, ReviewGuard.AdminToken);
        var (call, decided) = await review.HoldAsync();

        var page = await http.GetStringAsync(review.Admin("/review/holds"));
        using var vote = await http.PostAsync(review.Admin("/review/holds/" + call.Id), Form(("csrf", csrf), ("call_hash", call.CallHash), ("verdict", "approve")));

        Assert.Contains("read-only", page, StringComparison.Ordinal);
        Assert.DoesNotContain("value=\"approve\"", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, vote.StatusCode);
        Assert.False(decided.IsCompleted);
    }

    [Fact]
    public async Task Vote_NoteTooLong_400AndNothingVoted()
    {
        await using var review = await ReviewGuard.StartAsync(output, seed: false);
        using var http = ReviewGuard.Client();
        var csrf = await review.LogInAsync(http, ReviewGuard.AliceToken);
        var (call, decided) = await review.HoldAsync();

        using var vote = await http.PostAsync(review.Admin("/review/holds/" + call.Id), Form(("csrf", csrf), ("call_hash", call.CallHash), ("verdict", "approve"), ("reason", new string('x', ReviewEndpoints.MaxReasonLength + 1))));

        Assert.Equal(HttpStatusCode.BadRequest, vote.StatusCode);
        Assert.Contains("Nothing was voted", await vote.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(decided.IsCompleted);
    }

    [Fact]
    public async Task Overview_NewGuardNoRecords_SaysSoRatherThanABrokenChain()
    {
        await using var review = await ReviewGuard.StartAsync(output, adminToken: false, seed: false);
        using var http = ReviewGuard.Client();

        var html = await http.GetStringAsync(review.Admin("/review"));

        Assert.Contains("no records yet", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Chain broken", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vote_WrongCallHash_NothingChanges()
    {
        await using var review = await ReviewGuard.StartAsync(output, seed: false);
        using var http = ReviewGuard.Client();
        var csrf = await review.LogInAsync(http, ReviewGuard.BobToken);
        var (call, decided) = await review.HoldAsync();

        using var vote = await http.PostAsync(review.Admin("/review/holds/" + call.Id), Form(("csrf", csrf), ("call_hash", new string('0', 64)), ("verdict", "approve")));
        var after = await http.GetStringAsync(new Uri(review.Guard.AdminAddress, vote.Headers.Location!));

        Assert.Contains("not the call you saw", after, StringComparison.Ordinal);
        Assert.False(decided.IsCompleted);
    }

    [Fact]
    public async Task Decisions_FilterShutdownTampering_OnlyThoseRowsEachLinkingToItsRecord()
    {
        await using var review = await ReviewGuard.StartAsync(output);
        using var http = ReviewGuard.Client();
        await review.LogInAsync(http, ReviewGuard.AliceToken);

        var html = await http.GetStringAsync(review.Admin("/review/decisions?finding=shutdown-tampering&decision=deny"));

        var rows = Rows().Matches(html);
        var expected = File.ReadLines(Directory.GetFiles(review.AuditDirectory, "*.jsonl").Single())
            .Count(l => l.Contains("\"type\":\"decision\"", StringComparison.Ordinal) && l.Contains("\"finding\":\"shutdown-tampering\"", StringComparison.Ordinal) && l.Contains("\"decision\":\"deny\"", StringComparison.Ordinal));
        Assert.True(expected >= 4, $"the demo should deny at least 4 shutdown-tampering calls, found {expected}");
        Assert.Equal(expected, rows.Count);
        Assert.All(rows, r => Assert.Contains("shutdown-tampering", r.Value, StringComparison.Ordinal));
        Assert.DoesNotContain("weight-exfiltration", string.Concat(rows.Select(r => r.Value)), StringComparison.Ordinal);

        var record = await http.GetStringAsync(review.Admin(RecordLink().Match(rows[0].Value).Groups[1].Value));
        Assert.Matches("<table id=\"effects\">.*shutdown_config.yaml.*</table>", record.ReplaceLineEndings(" "));
        Assert.Contains("Chain verified", record, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("desicion=deny", "unknown filter")]
    [InlineData("severity=severe", "severity &#39;severe&#39; is unknown")]
    [InlineData("from=yesterday", "is not a time")]
    [InlineData("before=-3", "is not a sequence number")]
    public async Task Decisions_BadFilter_400NamingIt(string query, string message)
    {
        await using var review = await ReviewGuard.StartAsync(output, adminToken: false, seed: false);
        using var http = ReviewGuard.Client();

        using var response = await http.GetAsync(review.Admin("/review/decisions?" + query));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decisions_Paging_OlderThenNewer_EveryRecordOnceNewestFirst()
    {
        await using var review = await ReviewGuard.StartAsync(output, adminToken: false, seed: false);
        using var http = ReviewGuard.Client();
        var endpoint = new Uri(review.Guard.DataAddress, "/mcp");
        var count = ReviewEndpoints.PageSize * 2 + 7;
        for (var i = 0; i < count; i++)
        {
            await Mcp.PostAsync(http, endpoint, "{\"jsonrpc\":\"2.0\",\"id\":" + i + ""","method":"tools/call","params":{"name":"modify_var","arguments":{"key":"shutdown_enabled","value":"false"}}}""");
        }

        var seen = new List<long>();
        var pages = new List<string>();
        string? next = "/review/decisions?finding=shutdown-tampering";
        while (next is not null)
        {
            var html = await http.GetStringAsync(review.Admin(next));
            pages.Add(html);
            seen.AddRange(Sequences(html));
            next = Older().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;
        }

        Assert.Equal(3, pages.Count);
        Assert.Equal(count, seen.Count);
        Assert.Equal(seen.OrderByDescending(s => s), seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());

        // From the last page, "newer" gives back the middle page exactly.
        var newer = WebUtility.HtmlDecode(Newer().Match(pages[2]).Groups[1].Value);
        Assert.Equal(Sequences(pages[1]), Sequences(await http.GetStringAsync(review.Admin(newer))));
    }

    [Fact]
    public async Task Record_HostileArgumentsInTheLog_ShownAsTextNeverMarkup()
    {
        await using var review = await ReviewGuard.StartAsync(output, adminToken: false, seed: false);
        using var http = ReviewGuard.Client();
        const string Hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'";
        var response = await Mcp.PostAsync(http, new Uri(review.Guard.DataAddress, "/mcp"),
            """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"modify_var","arguments":{"key":"shutdown_enabled","value":""" + "\"" + Hostile.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"}}}");
        var reference = Regex.Match(await response.Content.ReadAsStringAsync(), @"ref: ([^)]+)\)").Groups[1].Value;

        var record = await http.GetStringAsync(review.Admin("/review/records/" + reference));
        var table = await http.GetStringAsync(review.Admin("/review/decisions?agent=" + Uri.EscapeDataString(Hostile)));

        foreach (var html in new[] { record, table })
        {
            Assert.DoesNotContain("<script>alert", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<img src=x", html, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", record, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Record_ShowsEffectsNeighboursAndTheEvidenceReadBefore()
    {
        await using var review = await ReviewGuard.StartAsync(output);
        using var http = ReviewGuard.Client();
        await review.LogInAsync(http, ReviewGuard.AliceToken);
        var decisions = await http.GetStringAsync(review.Admin("/review/decisions?tool=modify_var"));
        var link = RecordLink().Matches(decisions).Last().Groups[1].Value;

        var record = await http.GetStringAsync(review.Admin(link));

        Assert.Contains("id=\"effects\"", record, StringComparison.Ordinal);
        Assert.Contains("config://shutdown_config.yaml#shutdown_enabled", record, StringComparison.Ordinal);
        Assert.Contains("class=\"previous\"", record, StringComparison.Ordinal);
        Assert.Contains("class=\"next\"", record, StringComparison.Ordinal);
        Assert.Contains("prev</code> is the SHA-256 of record", record, StringComparison.Ordinal);

        // The demo's agent read the operations policy and the config before it tried the write.
        var evidence = Regex.Match(record, "<table id=\"evidence\">.*?</table>", RegexOptions.Singleline).Value;
        Assert.Contains("view_config", evidence, StringComparison.Ordinal);
        Assert.Contains("<td>this one</td><td>view_config</td>", evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Record_EditedLog_ChainBrokenShownAfterTheCacheExpires()
    {
        await using var review = await ReviewGuard.StartAsync(output, adminToken: false);
        using var http = ReviewGuard.Client();
        var before = await http.GetStringAsync(review.Admin("/review"));
        Assert.Contains("Chain verified", before, StringComparison.Ordinal);

        // A verification is cached; a fresh admin plane (as after a restart) verifies again. The guard
        // is stopped first, so that no record it is still writing races the edit.
        await review.Guard.DisposeAsync();
        var segment = Directory.GetFiles(review.AuditDirectory, "*.jsonl").Single();
        var status = new ReviewChainStatus(review.AuditDirectory, null, TimeProvider.System);
        var lines = await File.ReadAllLinesAsync(segment);
        // The first allowed decision after the chain's start: which record is third depends on when upstream answers were written.
        var edited = Array.FindIndex(lines, 1, line => line.Contains("\"decision\":\"allow\"", StringComparison.Ordinal));
        lines[edited] = lines[edited].Replace("\"decision\":\"allow\"", "\"decision\":\"deny\"", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(segment, lines);

        var result = await status.GetAsync(lines.Length, CancellationToken.None);
        var html = new ReviewHtml();
        ReviewRecordPage.ChainNotice(html, result, null);

        Assert.False(result.Verification.IsValid);
        Assert.Contains("Chain broken", html.ToString(), StringComparison.Ordinal);
        Assert.Contains("was changed", html.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SafeReturn_OtherSites_GoToTheOverview()
    {
        Assert.Equal("/review/holds", ReviewEndpoints.SafeReturn("/review/holds"));
        Assert.Equal("/review", ReviewEndpoints.SafeReturn("//evil.example/review"));
        Assert.Equal("/review", ReviewEndpoints.SafeReturn("https://evil.example"));
        Assert.Equal("/review", ReviewEndpoints.SafeReturn("/review//evil.example"));
        Assert.Equal("/review", ReviewEndpoints.SafeReturn("/review\\..\\x"));
    }

    private static List<long> Sequences(string html) => [.. SequenceCell().Matches(html).Select(m => long.Parse(m.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture))];

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) => new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    private static string? NonLoopbackAddress()
        => System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))?.ToString();

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfValue();

    [GeneratedRegex("<tr><td class=\"num\">.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex Rows();

    [GeneratedRegex("<tr><td class=\"num\">([0-9,]+)</td>")]
    private static partial Regex SequenceCell();

    [GeneratedRegex("href=\"(/review/records/[^\"]+)\" class=\"record\"")]
    private static partial Regex RecordLink();

    [GeneratedRegex("href=\"([^\"]+)\" class=\"older\"")]
    private static partial Regex Older();

    [GeneratedRegex("href=\"([^\"]+)\" class=\"newer\"")]
    private static partial Regex Newer();
}
