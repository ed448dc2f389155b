using AgentGuard.Infrastructure;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;
using Xunit.Abstractions;

namespace AgentGuard.Admin;

/// <summary>
/// The review page in real headless Chromium, as a reviewer uses it: logs in, filters to shutdown
/// tampering, opens a record and sees its effects and the verified chain, approves a held call; and
/// the same pages on a phone-sized screen. Writes the README's screenshots when
/// AGENTGUARD_SCREENSHOTS names a folder.
/// </summary>
public sealed class ReviewBrowserTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Reviewer_LogsInFiltersOpensARecordAndApprovesAHeldCall()
    {
        using var browser = ReviewBrowser.Start();
        var holdPolicy = Directory.CreateTempSubdirectory("agentguard-hold-policy-").FullName;
        await File.WriteAllTextAsync(Path.Combine(holdPolicy, "holds.yaml"), Holds.HoldingGuard.HoldRules);
        await using var review = await ReviewGuard.StartAsync(output, rounds: 6, policies: [TestGuard.ShippedPolicies, holdPolicy]);
        var driver = browser.Driver;

        // The agent deletes a file on a company server: a rule holds the call for a person.
        await using var transport = new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(review.Guard.DataAddress, review.Tools.Endpoint.AbsolutePath), TransportMode = HttpTransportMode.StreamableHttp });
        await using var agent = await McpClient.CreateAsync(transport);
        var deleting = agent.CallToolAsync("delete_server_file", new Dictionary<string, object?> { ["ip"] = Demo.StudyWorld.SourceServerIp, ["filename"] = "deprecated_api_docs_v1.pdf" }).AsTask();
        await Poll.UntilAsync(() => review.Guard.Holds.Pending().Count == 1, "the agent's call to be held");
        var call = review.Guard.Holds.Pending()[0].Call;

        // Not logged in: the page sends the reviewer to the login form, then back.
        driver.Navigate().GoToUrl(review.Admin("/review").ToString());
        Assert.Contains("/review/login", driver.Url, StringComparison.Ordinal);
        browser.Screenshot("login");
        driver.FindElement(By.Id("token")).SendKeys(ReviewGuard.AliceToken);
        driver.FindElement(By.Id("login")).Click();
        var chain = browser.Wait(By.Id("chain"), "the chain status on the overview");
        Assert.StartsWith("Chain verified", chain.Text, StringComparison.Ordinal);
        Assert.NotEmpty(driver.FindElements(By.CssSelector("svg rect")));
        Assert.Contains("alice", driver.FindElement(By.CssSelector("header .who")).Text, StringComparison.Ordinal);
        output.WriteLine(browser.Screenshot("overview"));

        // The decisions table, filtered through its form to shutdown tampering.
        driver.FindElement(By.LinkText("Decisions")).Click();
        browser.Wait(By.Id("filters"), "the filter form").FindElement(By.Id("f-finding")).SendKeys("shutdown-tampering");
        new SelectElement(driver.FindElement(By.Id("f-decision"))).SelectByValue("deny");
        driver.FindElement(By.Id("apply")).Click();
        browser.Wait(By.CssSelector("#decisions tbody tr"), "the filtered rows");
        Assert.Contains("finding=shutdown-tampering", driver.Url, StringComparison.Ordinal);
        var rows = driver.FindElements(By.CssSelector("#decisions tbody tr"));
        Assert.True(rows.Count >= 4, $"expected the demo's 4+ shutdown-tampering denials, saw {rows.Count}");
        Assert.All(rows, row => Assert.Contains("shutdown-tampering", row.Text, StringComparison.Ordinal));
        output.WriteLine(browser.Screenshot("decisions-shutdown-tampering"));

        // The latest modify_var on shutdown_enabled (older runs' evidence has left the sessions' window).
        rows.First(row => row.Text.Contains("modify_var", StringComparison.Ordinal)).FindElement(By.CssSelector("a.record")).Click();
        var effects = browser.Wait(By.Id("effects"), "the record's effects");
        Assert.Contains("config://shutdown_config.yaml#shutdown_enabled", effects.Text, StringComparison.Ordinal);
        Assert.StartsWith("Chain verified", driver.FindElement(By.Id("chain")).Text, StringComparison.Ordinal);
        Assert.Contains("is the SHA-256 of record", driver.FindElement(By.Id("link-check")).Text, StringComparison.Ordinal);
        Assert.Contains("view_config", driver.FindElement(By.Id("evidence")).Text, StringComparison.Ordinal);
        output.WriteLine(browser.Screenshot("record"));

        // The held call: approve it.
        driver.FindElement(By.LinkText("Held calls")).Click();
        var section = browser.Wait(By.Id("hold-" + call.Id), "the held call");
        Assert.Contains(call.CallHash, section.Text, StringComparison.Ordinal);
        output.WriteLine(browser.Screenshot("held-calls"));
        section.FindElement(By.Name("reason")).SendKeys("Scheduled maintenance, confirmed with the owner");
        section.FindElement(By.CssSelector("button.approve")).Click();
        Assert.Contains("Approved", browser.Wait(By.Id("vote-result"), "the vote's result").Text, StringComparison.Ordinal);

        // The agent's call completes with the tool's real result.
        var result = await deleting.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.NotEqual(true, result.IsError);
        Assert.Contains("Deleted", string.Join("\n", result.Content.OfType<TextContentBlock>().Select(b => b.Text)), StringComparison.Ordinal);
        Assert.DoesNotContain(review.Tools.World.GetServerFiles(Demo.StudyWorld.SourceServerIp), f => f.Name == "deprecated_api_docs_v1.pdf");
        Assert.Empty(review.Guard.Holds.Pending());
        Directory.Delete(holdPolicy, recursive: true);

        // A phone: the pages fit its width (wide tables scroll inside their box, not the page).
        var (second, _) = await review.HoldAsync(tool: "run_shell_command", arguments: """{"command":"sed -i -e s/true/false/ /workspace/config/shutdown_config.yaml"}""");
        browser.Size(390, 844);
        foreach (var (path, name) in new[]
        {
            ("/review", "phone-overview"),
            ("/review/decisions?finding=shutdown-tampering", "phone-decisions"),
            ("/review/holds", "phone-held-calls"),
        })
        {
            driver.Navigate().GoToUrl(review.Admin(path).ToString());
            browser.Wait(By.TagName("main"), name);
            Assert.True(browser.PageWidth() <= 390, $"{path} is {browser.PageWidth()} px wide on a 390 px screen");
            output.WriteLine(browser.Screenshot(name));
        }

        Assert.Contains(second.Id, driver.PageSource, StringComparison.Ordinal);
    }
}
