using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MQTTnet;
using RobustMq.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RobustMq.Integration.Tests.Dashboard;

/// <summary>
/// The web dashboard at <c>/dashboard/</c> on <c>Admin:Port</c> (issue 14), in a real headless chromium against a real
/// broker: its files as served, logging in, a connected MQTT client listed and kicked, a viewer's read-only pages, and
/// every page once (a screenshot each, no script errors).
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class DashboardTests(BrokerFixture broker, ChromiumFixture chromium, ITestOutputHelper output)
    : IClassFixture<BrokerFixture>, IClassFixture<ChromiumFixture>, IDisposable
{
    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false })
    {
        BaseAddress = new Uri($"http://127.0.0.1:{broker.AdminPort}"),
        Timeout = TimeSpan.FromSeconds(15),
    };

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task The_dashboard_files_are_served_from_the_broker_with_their_content_types_and_revalidated_by_etag()
    {
        using (var bare = await _http.GetAsync("/dashboard"))
        {
            Assert.Equal(HttpStatusCode.MovedPermanently, bare.StatusCode);
            Assert.Equal("/dashboard/", bare.Headers.Location?.OriginalString);
        }

        using var index = await _http.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        Assert.Contains("js/app.js", await index.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(index.Headers.CacheControl?.NoCache, "index.html: Cache-Control: no-cache");
        Assert.Contains("script-src 'self'", index.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        foreach (var (path, type) in new[] { ("js/app.js", "text/javascript"), ("js/pages/clients.js", "text/javascript"), ("app.css", "text/css"), ("icon.svg", "image/svg+xml") })
        {
            using var file = await _http.GetAsync("/dashboard/" + path);
            Assert.True(file.StatusCode == HttpStatusCode.OK, $"{path}: {(int)file.StatusCode}");
            Assert.Equal(type, file.Content.Headers.ContentType?.MediaType);
            Assert.Equal("nosniff", file.Headers.GetValues("X-Content-Type-Options").Single());
            var etag = file.Headers.ETag ?? throw new Xunit.Sdk.XunitException($"{path}: no ETag");
            using var again = new HttpRequestMessage(HttpMethod.Get, "/dashboard/" + path);
            again.Headers.IfNoneMatch.Add(etag);
            using var revalidated = await _http.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        }

        using var missing = await _http.GetAsync("/dashboard/js/nothing.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task An_administrator_logs_in_sees_a_mosquitto_sub_client_that_robust_ctl_lists_too_and_kicks_it()
    {
        // Issue 14's walk-through: a mosquitto_sub client (MQTT 5: on DISCONNECT 0x98 it ends rather than reconnecting)
        // is listed by robust-ctl and on the Clients page, and the Kick button ends it.
        using var sub = Mosquitto.Sub(broker, "mqttv5", "-i", "dash-kick-me", "-t", "dash/kick/#");
        await Mosquitto.WaitSubscribedAsync(sub, "dashboard kick");
        var (code, listed, error) = await RobustCtl.RunAsync(broker.AdminPort, "mqtt", "client", "list", "--client-id", "dash-kick");
        Assert.True(code == 0 && listed.Contains("dash-kick-me", StringComparison.Ordinal), $"robust-ctl mqtt client list: exit {code}: {listed} {error}");

        await using var tab = await DashboardPage.OpenAsync(chromium, broker.AdminPort);
        await tab.LoginAsync("admin", "public");
        await tab.ShowAsync("clients?clientid=dash-kick");
        Assert.Equal(["dash-kick-me"], await tab.ClientIdsAsync());

        await tab.Page.EvaluateFunctionAsync(
            "(id) => [...document.querySelectorAll('main tbody tr')].find(r => r.querySelector('a.clientid')?.textContent === id).querySelector('button.btn-danger').click()",
            "dash-kick-me");
        await tab.Page.WaitForSelectorAsync("dialog[open] button[data-confirm]");
        await tab.Page.ScreenshotAsync(Path.Combine(chromium.ScreenshotFolder, "04-clients-kick-confirm.png"));
        await tab.Page.ClickAsync("dialog[open] button[data-confirm]");

        var exit = await sub.WaitForExitAsync("mosquitto_sub ends when kicked", TimeSpan.FromSeconds(10));
        Assert.True(exit == 0, $"mosquitto_sub exited with {exit}: {sub.Describe()}");
        await Eventually.TrueAsync(async () =>
        {
            // As an operator would: Refresh until the broker no longer lists it.
            await tab.ShowAsync("clients?clientid=dash-kick&page=1");
            await tab.Page.ClickAsync("main .tools button:last-child");
            await tab.Page.WaitForFunctionAsync("() => !document.querySelector('main .results .loading')");
            return (await tab.ClientIdsAsync()).Length == 0 && await tab.Page.QuerySelectorAsync("main .results .empty") is not null;
        }, TimeSpan.FromSeconds(10), "the kicked client is gone from the Clients page");
        await tab.Page.ScreenshotAsync(Path.Combine(chromium.ScreenshotFolder, "04-clients-after-kick.png"));
        (code, listed, error) = await RobustCtl.RunAsync(broker.AdminPort, "mqtt", "client", "list", "--client-id", "dash-kick");
        Assert.True(code == 0 && !listed.Contains("dash-kick-me", StringComparison.Ordinal), $"robust-ctl after the kick: exit {code}: {listed} {error}");

        // Log out: the token is forgotten, and every page asks for a login again.
        await tab.Page.ClickAsync("#logout");
        await tab.Page.WaitForSelectorAsync("form.login");
        Assert.Null(await tab.Page.EvaluateExpressionAsync<string?>("sessionStorage.getItem('robustmq.session')"));
        await tab.Page.EvaluateFunctionAsync("(hash) => { location.hash = hash; }", "#/clients");
        await tab.Page.WaitForSelectorAsync("form.login");
        Assert.True(tab.Errors.Count == 0, "script errors:\n" + string.Join('\n', tab.Errors));
    }

    [Fact]
    public async Task A_viewer_sees_the_clients_and_users_but_no_button_that_changes_anything()
    {
        var token = await LoginAsync("admin", "public");
        using (var made = await SendAsync(HttpMethod.Put, "/api/v1/admins/dash-viewer", token, new { password = "viewer-pass-1", role = "viewer" }))
        {
            Assert.True(made.IsSuccessStatusCode, $"PUT /api/v1/admins/dash-viewer: {(int)made.StatusCode}");
        }

        using var mqtt = await Mqtt.ConnectAsync(broker, "dash-viewed");
        await using var tab = await DashboardPage.OpenAsync(chromium, broker.AdminPort);
        await tab.LoginAsync("dash-viewer", "viewer-pass-1");
        Assert.Equal("viewer", await tab.Page.EvaluateExpressionAsync<string>("document.querySelector('.who .tag').textContent"));

        await tab.ShowAsync("clients?clientid=dash-viewed");
        Assert.Equal(["dash-viewed"], await tab.ClientIdsAsync());
        Assert.DoesNotContain("Kick", await tab.ButtonsAsync());
        Assert.Null(await tab.Page.QuerySelectorAsync("main th.actions"));

        foreach (var (route, write) in new[] { ("users", "New user"), ("acl", "Add rule"), ("blacklist", "New ban") })
        {
            await tab.ShowAsync(route);
            Assert.DoesNotContain(write, await tab.ButtonsAsync());
            Assert.Null(await tab.Page.QuerySelectorAsync("main .results .note.error"));
        }

        await tab.Page.EvaluateFunctionAsync("(hash) => { location.hash = hash; }", "#/clients/dash-viewed");
        await tab.Page.WaitForSelectorAsync("main table.details");
        Assert.DoesNotContain("Kick", await tab.ButtonsAsync());

        // A client that is not connected: the page shows its stored session and the subscriptions the session holds.
        using (var leaving = await Mqtt.ConnectAsync(broker, "dash-stored", configure: o => o.WithCleanStart(false).WithSessionExpiryInterval(600)))
        {
            await Mqtt.SubscribeAsync(leaving, f => f.WithTopic("dash/stored/#"));
            await leaving.DisconnectAsync();
        }

        await Eventually.TrueAsync(async () =>
        {
            using var gone = await SendAsync(HttpMethod.Get, "/api/v1/clients/dash-stored", token, null);
            return gone.StatusCode == HttpStatusCode.NotFound;
        }, TimeSpan.FromSeconds(10), "dash-stored is no longer connected");
        await tab.Page.EvaluateFunctionAsync("(hash) => { location.hash = hash; }", "#/clients/dash-stored");
        await tab.Page.WaitForFunctionAsync(
            "() => { const t = document.querySelector('main')?.innerText ?? ''; return t.includes('its session is stored') && t.includes('dash/stored/#'); }",
            new PuppeteerSharp.WaitForFunctionOptions { Timeout = 10_000, PollingInterval = 100 });
        Assert.Null(await tab.Page.QuerySelectorAsync("main .note.warn"));

        // The account is deleted: its token opens nothing any more (401), and the dashboard goes back to the login.
        using (var deleted = await SendAsync(HttpMethod.Delete, "/api/v1/admins/dash-viewer", token, null))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await tab.Page.EvaluateFunctionAsync("(hash) => { location.hash = hash; }", "#/users");
        await tab.Page.WaitForSelectorAsync("form.login");
        Assert.DoesNotContain(tab.Errors, e => !e.Contains("status of 401", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_page_renders_its_data_without_a_script_error_and_is_saved_as_a_screenshot()
    {
        output.WriteLine($"dashboard screenshots: {chromium.ScreenshotFolder}");
        await using var tab = await DashboardPage.OpenAsync(chromium, broker.AdminPort);
        await tab.Page.GoToAsync(tab.BaseUrl, PuppeteerSharp.WaitUntilNavigation.DOMContentLoaded);
        await tab.Page.WaitForSelectorAsync("form.login");
        await Shot(tab, "01-login");
        await tab.LoginAsync("admin", "public");

        // While the overview polls: clients connect and publish (its charts get something to draw), and the data of
        // the other pages is made.
        using var subscriber = await Mqtt.ConnectAsync(broker, "dash-subscriber", configure: o => o.WithCredentials("dash-user", "dash-pass"));
        await subscriber.SubscribeAsync("dash/+/temperature", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
        using var publisher = await Mqtt.ConnectAsync(broker, "dash-publisher");
        await publisher.PublishAsync(Mqtt.Message("dash/room-1/temperature", "21.5").WithRetainFlag().Build());
        using var traffic = new CancellationTokenSource();
        var publishing = Task.Run(async () =>
        {
            while (!traffic.IsCancellationRequested)
            {
                await publisher.PublishAsync(Mqtt.Message("dash/room-2/temperature", "22").Build());
                await Task.Delay(20);
            }
        });
        var token = await LoginAsync("admin", "public");
        await PutAsync(token, "/api/v1/users/dash-user", new { password = "dash-pass", superuser = false });
        await PutAsync(token, "/api/v1/acl/users/dash-user", new { rules = new object[] { new { permission = "allow", action = "publish", topic = "dash/#" }, new { permission = "deny", action = "subscribe", topic = "$SYS/#" } } });
        await PutAsync(token, "/api/v1/blacklist", new { kind = "clientid", value = "dash-banned", reason = "shown on the Blacklist page", duration_s = 3600 }, HttpMethod.Post);

        await tab.Page.WaitForFunctionAsync(
            "() => { const c = [...document.querySelectorAll('.chart')]; const l = [...document.querySelectorAll('.chart .legend-item')]; "
            + "return c.length === 3 && c.every(x => Number(x.dataset.points) >= 3) && l.length === 4 && l.every(i => !i.textContent.includes('–')) "
            + "&& Number(document.querySelector('[data-stat=connections] .stat-value')?.textContent) >= 2; }",
            new PuppeteerSharp.WaitForFunctionOptions { Timeout = 10_000, PollingInterval = 100 });
        await traffic.CancelAsync();
        await publishing;
        await Shot(tab, "02-overview");

        // Pages with data this test made: their rows must show it. The others show a table, "nothing to show" or,
        // when the broker does not serve their route, the "not available" note.
        (string Route, string File, string? Shows)[] pages =
        [
            ("nodes", "03-nodes", null),
            ("clients", "04-clients", "dash-subscriber"),
            ($"clients/{Uri.EscapeDataString("dash-subscriber")}", "05-client-detail", "dash-user"),
            ("sessions", "06-sessions", null),
            ("subscriptions", "07-subscriptions", null),
            ("topics", "08-topics", null),
            ("retained", "09-retained", null),
            ("users", "10-users", "dash-user"),
            ("acl", "11-acl", "$SYS/#"),
            ("blacklist", "12-blacklist", "dash-banned"),
            ("trace", "13-trace", null),
            ("slow-subscriptions", "14-slow-subscriptions", null),
            ("topic-metrics", "15-topic-metrics", null),
            ("alarms", "16-alarms", null),
        ];
        foreach (var (route, file, shows) in pages)
        {
            if (route.StartsWith("clients/", StringComparison.Ordinal))
            {
                await tab.Page.EvaluateFunctionAsync("(hash) => { location.hash = hash; }", "#/" + route);
                await tab.Page.WaitForSelectorAsync("main table.details");
            }
            else
            {
                await tab.ShowAsync(route);
            }

            var main = await tab.Page.EvaluateExpressionAsync<string>("document.querySelector('main').innerText");
            Assert.True(await tab.Page.QuerySelectorAsync("main .note.error") is null, $"{route} shows an error: {main}");
            Assert.True(await tab.Page.QuerySelectorAsync("main .table-wrap, main .empty, main .unavailable, main table.details") is not null, $"{route} shows no data: {main}");
            if (shows is not null)
            {
                Assert.True(main.Contains(shows, StringComparison.Ordinal), $"{route} does not show '{shows}': {main}");
            }

            await Shot(tab, file);
        }

        // A change through a form: a new MQTT user, made in the dialog, is in the store and on the page.
        await tab.ShowAsync("users");
        await tab.Page.EvaluateFunctionAsync("() => [...document.querySelectorAll('main .tools button')].find(b => b.textContent === 'New user').click()");
        await tab.Page.WaitForSelectorAsync("dialog[open] input[name=user_name]");
        await tab.Page.TypeAsync("dialog[open] input[name=user_name]", "made-in-the-browser");
        await tab.Page.TypeAsync("dialog[open] input[name=password]", "browser-pass");
        await Shot(tab, "17-users-new-user-dialog");
        await tab.Page.ClickAsync("dialog[open] button[data-confirm]");
        await tab.Page.WaitForFunctionAsync("() => document.querySelector('main .results')?.innerText.includes('made-in-the-browser')");
        using (var made = await SendAsync(HttpMethod.Get, "/api/v1/users/made-in-the-browser", token, null))
        {
            Assert.Equal(HttpStatusCode.OK, made.StatusCode);
        }

        Assert.True(tab.Errors.Count == 0, "script errors: " + string.Join("; ", tab.Errors));
    }

    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    private async Task Shot(DashboardPage tab, string name)
    {
        var path = Path.Combine(chromium.ScreenshotFolder, name + ".png");
        await tab.Page.ScreenshotAsync(path, new PuppeteerSharp.ScreenshotOptions { FullPage = true });
        output.WriteLine($"{_clock.ElapsedMilliseconds,6} ms {path}");
    }

    private async Task<string> LoginAsync(string user, string password)
    {
        using var response = await _http.PostAsJsonAsync("/api/v1/login", new { username = user, password });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"login {user}: {(int)response.StatusCode}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _http.SendAsync(request);
    }

    private async Task PutAsync(string token, string path, object body, HttpMethod? method = null)
    {
        using var response = await SendAsync(method ?? HttpMethod.Put, path, token, body);
        Assert.True(response.IsSuccessStatusCode, $"{method ?? HttpMethod.Put} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
