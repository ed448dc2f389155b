using System.Drawing;
using AgentGuard.Infrastructure;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace AgentGuard.Admin;

/// <summary>
/// Headless Chromium (Debian's <c>chromium</c>) driven through Debian's <c>chromedriver</c> by
/// Selenium. test.sh installs both with tests/browser/install.sh and names the driver in
/// <see cref="DriverVariable"/>; without it the browser tests skip, saying so.
/// </summary>
internal sealed class ReviewBrowser : IDisposable
{
    /// <summary>The path of chromedriver (test.sh sets it).</summary>
    public const string DriverVariable = "AGENTGUARD_CHROMEDRIVER";

    /// <summary>The path of the browser; default <c>/usr/bin/chromium</c>.</summary>
    public const string BrowserVariable = "AGENTGUARD_CHROMIUM";

    /// <summary>Where screenshots go when set (docs/screenshots to refresh the README's); a temporary folder otherwise.</summary>
    public const string ScreenshotsVariable = "AGENTGUARD_SCREENSHOTS";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private ReviewBrowser(ChromeDriver driver, string screenshots)
    {
        Driver = driver;
        Screenshots = screenshots;
    }

    public ChromeDriver Driver { get; }

    public string Screenshots { get; }

    /// <summary>Starts Chromium at 1366x768, or skips the calling test when test.sh did not install the driver.</summary>
    public static ReviewBrowser Start()
    {
        var driverPath = Environment.GetEnvironmentVariable(DriverVariable);
        Skip.If(string.IsNullOrEmpty(driverPath), $"{DriverVariable} is not set: run ./test.sh, or tests/browser/install.sh and export {DriverVariable} as it prints, to run the review page in headless Chromium");
        Assert.True(File.Exists(driverPath), $"{DriverVariable} names '{driverPath}', which does not exist; re-run tests/browser/install.sh");
        var browser = Environment.GetEnvironmentVariable(BrowserVariable) is { Length: > 0 } given ? given : "/usr/bin/chromium";
        Assert.True(File.Exists(browser), $"Chromium is not at '{browser}'; install Debian's chromium (tests/browser/install.sh) or set {BrowserVariable}");

        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driverPath)!, Path.GetFileName(driverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = browser };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1366,768", "--force-device-scale-factor=1", "--lang=en-US", "--hide-scrollbars");
        var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        var screenshots = Environment.GetEnvironmentVariable(ScreenshotsVariable) is { Length: > 0 } folder
            ? Directory.CreateDirectory(folder).FullName
            : Directory.CreateTempSubdirectory("agentguard-screenshots-").FullName;
        return new ReviewBrowser(driver, screenshots);
    }

    /// <summary>Resizes the window (the page's viewport, headless).</summary>
    public void Size(int width, int height) => Driver.Manage().Window.Size = new Size(width, height);

    /// <summary>The element, once it is on the page.</summary>
    public IWebElement Wait(By by, string what)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var found = Driver.FindElements(by);
            if (found.Count > 0)
            {
                return found[0];
            }

            if (TimeProvider.System.GetElapsedTime(started) >= Deadline)
            {
                Assert.Fail($"timed out waiting for {what} on {Driver.Url}; the page says: {Driver.FindElement(By.TagName("body")).Text}");
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>Saves the whole page (the window grown to the page's height, up to 2,400 px) as <c>NAME.png</c>.</summary>
    public string Screenshot(string name)
    {
        var size = Driver.Manage().Window.Size;
        // Twice: the page's height can change with the window's (a wrapped header, a scrollbar gone).
        for (var i = 0; i < 2; i++)
        {
            var height = Convert.ToInt32(Driver.ExecuteScript("return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)"), System.Globalization.CultureInfo.InvariantCulture);
            var chrome = Driver.Manage().Window.Size.Height - Convert.ToInt32(Driver.ExecuteScript("return window.innerHeight"), System.Globalization.CultureInfo.InvariantCulture);
            Size(size.Width, Math.Clamp(height + chrome, size.Height, 2400));
        }

        var path = Path.Combine(Screenshots, name + ".png");
        Driver.GetScreenshot().SaveAsFile(path);
        Size(size.Width, size.Height);
        return path;
    }

    /// <summary>How wide the page is laid out: wider than the window means the reader must scroll sideways.</summary>
    public long PageWidth() => Convert.ToInt64(Driver.ExecuteScript("return document.documentElement.scrollWidth"), System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
    }
}
