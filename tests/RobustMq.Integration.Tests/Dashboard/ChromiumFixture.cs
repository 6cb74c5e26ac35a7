using PuppeteerSharp;

namespace RobustMq.Integration.Tests.Dashboard;

/// <summary>
/// One headless Debian <c>chromium</c> (<c>/usr/bin/chromium</c>, test.sh installs it) for a test class, driven by
/// PuppeteerSharp; never a downloaded browser. Each test opens its own browser context (its own sessionStorage).
/// Screenshots go to <see cref="ScreenshotFolder"/>: <c>$ROBUSTMQ_TEST_ARTIFACTS/dashboard-screenshots</c>, else
/// <c>TestResults/dashboard-screenshots</c> under the test's output directory.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("chromium has not started");

    public string ScreenshotFolder { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("ROBUSTMQ_TEST_ARTIFACTS") is { Length: > 0 } artifacts ? artifacts : Path.Combine(AppContext.BaseDirectory, "TestResults"),
        "dashboard-screenshots");

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(ExecutablePath), $"{ExecutablePath} is missing: install Debian's chromium (test.sh does)");
        Directory.CreateDirectory(ScreenshotFolder);
        _browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            Headless = true,
            ExecutablePath = ExecutablePath,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check"],
            DefaultViewport = new ViewPortOptions { Width = 1366, Height = 800 },
            Timeout = 30_000,
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
            await _browser.DisposeAsync();
        }
    }
}
