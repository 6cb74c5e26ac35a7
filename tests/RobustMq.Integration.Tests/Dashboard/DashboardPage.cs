using PuppeteerSharp;

namespace RobustMq.Integration.Tests.Dashboard;

/// <summary>
/// One browser tab on the broker's dashboard, in a browser context of its own, that records every script error: the
/// page's uncaught exceptions (<c>pageerror</c>) and console errors. A 404 from an <c>/api/v1</c> route is left out: a
/// broker without that route answers so, and the page shows its "not available" note (checked on its own).
/// </summary>
public sealed class DashboardPage : IAsyncDisposable
{
    private const int TimeoutMs = 10_000;
    private readonly IBrowserContext _context;
    private readonly List<string> _errors = [];

    private DashboardPage(IBrowserContext context, IPage page, string baseUrl)
    {
        _context = context;
        Page = page;
        BaseUrl = baseUrl;
        page.DefaultTimeout = TimeoutMs;
        page.PageError += (_, e) => Record($"pageerror: {e.Message}");
        page.Console += (_, e) =>
        {
            if (e.Message.Type != ConsoleType.Error)
            {
                return;
            }

            var url = e.Message.Location?.URL ?? "";
            // A 401 is how the API tells a tab its login ended (after Log out, or a deleted account): the app goes back to
            // its login form, as the tests check; the browser still logs the failed load.
            if ((e.Message.Text.Contains("status of 404", StringComparison.Ordinal) || e.Message.Text.Contains("status of 401", StringComparison.Ordinal))
                && url.Contains("/api/v1/", StringComparison.Ordinal))
            {
                return;
            }

            Record($"console error: {e.Message.Text} ({url})");
        };
    }

    public IPage Page { get; }

    /// <summary>http://127.0.0.1:{Admin:Port}/dashboard/</summary>
    public string BaseUrl { get; }

    /// <summary>The script errors seen so far.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    public static async Task<DashboardPage> OpenAsync(ChromiumFixture chromium, int adminPort)
    {
        var context = await chromium.Browser.CreateBrowserContextAsync();
        var page = await context.NewPageAsync();
        return new DashboardPage(context, page, $"http://127.0.0.1:{adminPort}/dashboard/");
    }

    /// <summary>Opens the dashboard and logs in through its form; waits for the overview.</summary>
    public async Task LoginAsync(string user, string password)
    {
        await Page.GoToAsync(BaseUrl + "#/login", WaitUntilNavigation.DOMContentLoaded);
        await Page.WaitForSelectorAsync("#username");
        await Page.TypeAsync("#username", user);
        await Page.TypeAsync("#password", password);
        await Page.ClickAsync("form.login button[type=submit]");
        await Page.WaitForSelectorAsync("aside.sidebar a[data-page=overview].active");
    }

    /// <summary>Goes to <c>#/{route}</c> and waits until its list has loaded (a table, "nothing to show" or a note).</summary>
    public async Task ShowAsync(string route)
    {
        await Page.EvaluateFunctionAsync("(hash) => { location.hash = hash; }", "#/" + route);
        await Page.WaitForFunctionAsync(
            "() => { const r = document.querySelector('main .results'); return r && !r.querySelector('.loading') && r.childElementCount > 0; }",
            new WaitForFunctionOptions { Timeout = TimeoutMs, PollingInterval = 50 });
    }

    /// <summary>The client ids in the clients table.</summary>
    public Task<string[]> ClientIdsAsync() =>
        Page.EvaluateFunctionAsync<string[]>("() => [...document.querySelectorAll('main tbody a.clientid')].map(a => a.textContent)");

    /// <summary>The labels of the buttons on the page (tools, rows, forms).</summary>
    public Task<string[]> ButtonsAsync() =>
        Page.EvaluateFunctionAsync<string[]>("() => [...document.querySelectorAll('main button')].map(b => b.textContent.trim())");

    public async ValueTask DisposeAsync()
    {
        await Page.CloseAsync();
        await _context.CloseAsync();
    }

    private void Record(string error)
    {
        lock (_errors)
        {
            _errors.Add(error);
        }
    }
}
