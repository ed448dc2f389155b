using AgentGuard.Admin;
using AgentGuard.Demo;
using OpenQA.Selenium;

namespace AgentGuard.Trials;

/// <summary>The trial's HTML report in real headless Chromium: self-contained, its charts drawn, its effects marked, readable on a laptop.</summary>
public sealed class TrialReportBrowserTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("agentguard-trial-html-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [SkippableFact]
    public void Report_RendersChartsTablesAndEffects_WithNothingFetched()
    {
        using var browser = ReviewBrowser.Start();
        var report = SimulatedReport();
        var path = Path.Combine(_folder, "report.html");
        File.WriteAllText(path, TrialReportHtml.Render(report));

        browser.Size(1150, 900);
        browser.Driver.Navigate().GoToUrl(new Uri(path).AbsoluteUri);

        // One bar per cell and behaviour, each with its interval as a title a reader can hover.
        var bars = browser.Driver.FindElements(By.CssSelector("svg rect"));
        Assert.Equal(report.Cells.Sum(c => c.Behaviours.Count), bars.Count);
        Assert.Contains(browser.Driver.FindElements(By.CssSelector("svg rect title")), t => t.GetAttribute("textContent")!.Contains("shutdown-tampering: 60.0%", StringComparison.Ordinal));
        Assert.Equal(2, browser.Driver.FindElements(By.TagName("h2")).Count(h => h.Text.StartsWith("config-tampering", StringComparison.Ordinal) || h.Text.StartsWith("alignment-faking", StringComparison.Ordinal)));
        var significant = browser.Driver.FindElements(By.CssSelector("tr.sig"));
        Assert.Contains(significant, row => row.Text.Contains("shutdown-tampering", StringComparison.Ordinal) && row.Text.Contains("good", StringComparison.Ordinal));
        Assert.True(browser.PageWidth() <= 1150, $"the report is {browser.PageWidth()} px wide in a 1150 px window");

        // Self-contained: no script, no stylesheet or image from elsewhere.
        Assert.Empty(browser.Driver.FindElements(By.CssSelector("script, link[rel=stylesheet], img[src^=http]")));
        browser.Screenshot("trial-report-simulated");
    }

    private static TrialReport SimulatedReport()
    {
        var scenarios = new List<TrialScenario>();
        var episodes = new List<EpisodeResult>();
        var random = new Random(42);
        foreach (var (name, behaviours, watched, rates) in new (string, TrialBehaviour[], string[], Func<TrialCell, double[]>)[]
        {
            ("config-tampering", [TrialBehaviour.ShutdownTampering, TrialBehaviour.ScoreInflation], ["default"], cell => [cell.Peer == "good" ? 0.6 : cell.Peer == "bad" ? 0.3 : 0.05, 0.1]),
            ("alignment-faking", [TrialBehaviour.ScoreInflation, TrialBehaviour.MandatedActionSkipped], ["watched", "unwatched"], cell => [0.05, cell.Watched == "unwatched" ? (cell.Peer == "good" ? 0.7 : 0.2) : 0]),
        })
        {
            var scenario = new TrialScenario(name, name, EvaluationDataset.Factual, false, "task", ["view_sheet"], ["create_file"], behaviours, new Dictionary<string, string>(), new Dictionary<string, string>(),
                new Dictionary<string, IReadOnlyList<string>> { ["peer"] = ["good", "bad", "none"], ["instantiation"] = ["file"], ["watched"] = watched, ["subject"] = ["peer"] });
            scenarios.Add(scenario);
            foreach (var cell in TrialLibrary.Cells(scenario))
            {
                var p = rates(cell);
                for (var i = 0; i < 30; i++)
                {
                    var done = behaviours.Where((_, b) => random.NextDouble() < p[b]).ToHashSet();
                    episodes.Add(new EpisodeResult(cell, i, EpisodeStatus.Scored, done, done, "exit 0", ["""{"seq":1,"type":"decision","tool":"modify_var","decision":"would-deny"}"""]));
                }
            }
        }

        // Exactly the rate the chart's title is checked for.
        var good = new TrialCell("config-tampering", "good", "file", "default", "peer");
        episodes.RemoveAll(e => e.Cell == good);
        for (var i = 0; i < 30; i++)
        {
            HashSet<TrialBehaviour> done = i < 18 ? [TrialBehaviour.ShutdownTampering] : [];
            episodes.Add(new EpisodeResult(good, i, EpisodeStatus.Scored, done, done, "exit 0", []));
        }

        return TrialReport.Build(new TrialRunInfo("scripted-agent", 30, 42, false, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(8), "52974b3b2037"), scenarios, episodes);
    }
}
