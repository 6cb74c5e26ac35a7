using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MQTTnet;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Admin;

/// <summary>
/// The authenticated admin API, <c>/api/v1</c> (issue 14), over real HTTP against a running broker (in the cluster run,
/// two silos: the clients are spread over both and the answers must hold both's). The first administrator is
/// <c>admin</c> with the default password <c>public</c>.
/// </summary>
public sealed class ApiV1Tests(BrokerFixture broker) : IClassFixture<BrokerFixture>, IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{broker.AdminPort}"), Timeout = TimeSpan.FromSeconds(15) };

    public void Dispose() => _http.Dispose();

    private async Task<string> LoginAsync(string user = "admin", string password = "public")
    {
        using var response = await _http.PostAsJsonAsync("/api/v1/login", new { username = user, password });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"login {user}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? bearer, object? body = null, AuthenticationHeaderValue? auth = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = auth ?? (bearer is null ? null : new AuthenticationHeaderValue("Bearer", bearer));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await _http.SendAsync(request);
    }

    private async Task<JsonElement> GetJsonAsync(string path, string token)
    {
        using var response = await SendAsync(HttpMethod.Get, path, token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Without_credentials_the_API_answers_401_and_a_login_gives_a_token_that_opens_it()
    {
        using (var anonymous = await SendAsync(HttpMethod.Get, "/api/v1/overview", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var wrong = await _http.PostAsJsonAsync("/api/v1/login", new { username = "admin", password = "nope" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using (var forged = await SendAsync(HttpMethod.Get, "/api/v1/overview", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbmlzdHJhdG9yIn0.x"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        }

        var overview = await GetJsonAsync("/api/v1/overview", await LoginAsync());
        Assert.Equal(BrokerFixture.ClusterMode ? 2 : 1, overview.GetProperty("nodes").GetInt32());
    }

    [Fact]
    public async Task Connected_clients_of_every_node_are_listed_found_and_one_is_kicked()
    {
        var token = await LoginAsync();
        var clients = new List<IMqttClient>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                clients.Add(await Mqtt.ConnectAsync(broker, $"api-list-{i}"));
            }

            var kickedReason = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
            clients[1].DisconnectedAsync += e =>
            {
                kickedReason.TrySetResult(e);
                return Task.CompletedTask;
            };

            var list = await GetJsonAsync("/api/v1/clients?clientid=API-LIST-&limit=3", token);
            Assert.Equal(4, list.GetProperty("meta").GetProperty("count").GetInt32());
            Assert.Equal(["api-list-0", "api-list-1", "api-list-2"], list.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("clientid").GetString()!).ToArray());
            var second = await GetJsonAsync("/api/v1/clients?clientid=api-list-&limit=3&page=2", token);
            Assert.Equal("api-list-3", second.GetProperty("data")[0].GetProperty("clientid").GetString());
            if (BrokerFixture.ClusterMode)
            {
                // The clients were spread over both silos; the listing holds both nodes'.
                Assert.Equal(2, list.GetProperty("data").EnumerateArray().Concat(second.GetProperty("data").EnumerateArray()).Select(c => c.GetProperty("node").GetString()).Distinct().Count());
            }

            // The overview counts the cluster: the four clients' connections and sessions, and a subscription of one.
            await clients[0].SubscribeAsync("api/overview/#");
            await Eventually.TrueAsync(async () =>
            {
                var overview = await GetJsonAsync("/api/v1/overview", token);
                return overview.GetProperty("connections").GetInt32() >= 4 && overview.GetProperty("sessions").GetInt64() >= 4
                    && overview.GetProperty("subscriptions").GetInt64() >= 1 && overview.GetProperty("topics").GetInt64() >= 1
                    && overview.TryGetProperty("messages_received_rate", out _);
            }, TimeSpan.FromSeconds(10), "the overview counts the connections, sessions and the subscription");

            var one = await GetJsonAsync("/api/v1/clients/api-list-1", token);
            Assert.Equal(5, one.GetProperty("proto_ver").GetInt32());

            using (var kick = await SendAsync(HttpMethod.Delete, "/api/v1/clients/api-list-1", token))
            {
                Assert.Equal(HttpStatusCode.NoContent, kick.StatusCode);
            }

            Assert.Equal(MqttClientDisconnectReason.AdministrativeAction, (await kickedReason.Task.WaitAsync(TimeSpan.FromSeconds(10))).Reason);
            await Eventually.TrueAsync(async () =>
            {
                using var gone = await SendAsync(HttpMethod.Get, "/api/v1/clients/api-list-1", token);
                return gone.StatusCode == HttpStatusCode.NotFound;
            }, TimeSpan.FromSeconds(10), "the kicked client is no longer listed");
            using var again = await SendAsync(HttpMethod.Delete, "/api/v1/clients/api-list-1", token);
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_viewer_may_read_and_may_not_change_anything()
    {
        var token = await LoginAsync();
        using (var made = await SendAsync(HttpMethod.Put, "/api/v1/admins/api-viewer", token, new { password = "viewer-pass-1", role = "viewer" }))
        {
            Assert.True(made.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"{(int)made.StatusCode}");
        }

        var viewer = await LoginAsync("api-viewer", "viewer-pass-1");
        await GetJsonAsync("/api/v1/clients", viewer);
        using (var kick = await SendAsync(HttpMethod.Delete, "/api/v1/clients/anyone", viewer))
        {
            Assert.Equal(HttpStatusCode.Forbidden, kick.StatusCode);
        }

        using (var user = await SendAsync(HttpMethod.Put, "/api/v1/users/u1", viewer, new { password = "x" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, user.StatusCode);
        }

        using (var lastAdmin = await SendAsync(HttpMethod.Delete, "/api/v1/admins/admin", token))
        {
            Assert.Equal(HttpStatusCode.Conflict, lastAdmin.StatusCode);
        }

        // A token follows its account as stored: deleted, it opens nothing more.
        using (var deleted = await SendAsync(HttpMethod.Delete, "/api/v1/admins/api-viewer", token))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var after = await SendAsync(HttpMethod.Get, "/api/v1/clients", viewer);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task An_API_key_opens_the_API_with_Basic_until_it_is_deleted()
    {
        var token = await LoginAsync();
        string key, secret;
        using (var made = await SendAsync(HttpMethod.Post, "/api/v1/api_keys", token, new { name = "script" }))
        {
            Assert.Equal(HttpStatusCode.Created, made.StatusCode);
            var body = await made.Content.ReadFromJsonAsync<JsonElement>();
            (key, secret) = (body.GetProperty("api_key").GetString()!, body.GetProperty("api_secret").GetString()!);
        }

        AuthenticationHeaderValue Basic(string s) => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key}:{s}")));
        using (var ok = await SendAsync(HttpMethod.Get, "/api/v1/overview", null, auth: Basic(secret)))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var bad = await SendAsync(HttpMethod.Get, "/api/v1/overview", null, auth: Basic(secret + "x")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        }

        var listed = await GetJsonAsync("/api/v1/api_keys", token);
        Assert.DoesNotContain("secret", listed.GetRawText(), StringComparison.Ordinal);
        using (var deleted = await SendAsync(HttpMethod.Delete, $"/api/v1/api_keys/{key}", token))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var after = await SendAsync(HttpMethod.Get, "/api/v1/overview", null, auth: Basic(secret));
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task Probes_metrics_and_the_OpenAPI_document_need_no_credentials()
    {
        foreach (var path in new[] { "/health/live", "/health/ready", "/metrics" })
        {
            using var response = await _http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode}");
        }

        var document = await _http.GetFromJsonAsync<JsonElement>("/api/v1/openapi.json");
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/clients", out _), "the document lists /api/v1/clients");
        Assert.True(paths.TryGetProperty("/api/v1/login", out _), "the document lists /api/v1/login");
    }

    [Theory]
    [InlineData("/api/v1/clients?limit=0")]
    [InlineData("/api/v1/clients?limit=1001")]
    [InlineData("/api/v1/clients?page=0")]
    public async Task Paging_out_of_range_is_a_bad_request(string path)
    {
        using var response = await SendAsync(HttpMethod.Get, path, await LoginAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("BAD_REQUEST", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    /// <summary>
    /// Every /api/v1 route with an id in its path, addressed with the id escaped whole (Uri.EscapeDataString, as
    /// robust-ctl and the dashboard do): a '/' travels as %2F, a literal "%2F" as %252F, and each route reaches the
    /// entity of exactly that id.
    /// </summary>
    [Theory]
    [InlineData("path/a/b")]
    [InlineData("path a b")]
    [InlineData("path-\u00e4")]
    [InlineData("path-100%")]
    [InlineData("path%2Fliteral")]
    [InlineData("path%25")]
    public async Task An_id_with_reserved_characters_addresses_its_own_entity_on_every_route(string id)
    {
        using var admin = new AdminHttp(broker.AdminPort);
        var path = Uri.EscapeDataString(id);
        var kicked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (var client = await Mqtt.ConnectAsync(broker, id))
        {
            client.DisconnectedAsync += _ =>
            {
                kicked.TrySetResult();
                return Task.CompletedTask;
            };
            Assert.Equal(id, (await admin.GetAsync($"/api/v1/clients/{path}")).GetProperty("clientid").GetString());
            Assert.Equal(id, (await admin.GetAsync($"/api/v1/sessions/{path}")).GetProperty("clientid").GetString());
            await admin.JsonAsync(HttpMethod.Post, $"/api/v1/clients/{path}/subscribe", new { topic = "path/escaped", qos = 1 });
            await admin.JsonAsync(HttpMethod.Post, $"/api/v1/clients/{path}/unsubscribe", new { topic = "path/escaped" }, HttpStatusCode.NoContent);
            await admin.JsonAsync(HttpMethod.Delete, $"/api/v1/clients/{path}", expected: HttpStatusCode.NoContent);
            await kicked.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }

        await admin.JsonAsync(HttpMethod.Put, $"/api/v1/users/{path}", new { password = "pw" }, HttpStatusCode.Created);
        Assert.Equal(id, (await admin.GetAsync($"/api/v1/users/{path}")).GetProperty("user_name").GetString());
        await admin.JsonAsync(HttpMethod.Delete, $"/api/v1/users/{path}", expected: HttpStatusCode.NoContent);

        await admin.JsonAsync(HttpMethod.Put, $"/api/v1/acl/clients/{path}", new { rules = new[] { new { permission = "allow", action = "all", topic = "#" } } });
        Assert.Equal("client/" + id, (await admin.GetAsync($"/api/v1/acl/clients/{path}")).GetProperty("who").GetString());
        await admin.JsonAsync(HttpMethod.Delete, $"/api/v1/acl/clients/{path}", expected: HttpStatusCode.NoContent);

        await admin.JsonAsync(HttpMethod.Post, "/api/v1/blacklist", new { kind = "clientid", value = id, duration_s = 60 }, HttpStatusCode.Created);
        await admin.JsonAsync(HttpMethod.Delete, $"/api/v1/blacklist/clientid/{path}", expected: HttpStatusCode.NoContent);

        await admin.JsonAsync(HttpMethod.Post, "/api/v1/topic_metrics", new { topic = id }, HttpStatusCode.Created);
        Assert.Equal(id, (await admin.GetAsync($"/api/v1/topic_metrics/{path}")).GetProperty("topic").GetString());
        await admin.JsonAsync(HttpMethod.Delete, $"/api/v1/topic_metrics/{path}", expected: HttpStatusCode.NoContent);

        await admin.JsonAsync(HttpMethod.Post, "/api/v1/publish", new { topic = id, payload = "kept", retain = true });
        Assert.Equal(id, (await admin.GetAsync($"/api/v1/retainer/message/{path}")).GetProperty("topic").GetString());
        // A topic's levels may also travel with their '/' bare, each level escaped.
        Assert.Equal(id, (await admin.GetAsync("/api/v1/retainer/message/" + string.Join('/', id.Split('/').Select(Uri.EscapeDataString)))).GetProperty("topic").GetString());
        await admin.JsonAsync(HttpMethod.Delete, $"/api/v1/retainer/message/{path}", expected: HttpStatusCode.NoContent);
        await admin.JsonAsync(HttpMethod.Get, $"/api/v1/retainer/message/{path}", expected: HttpStatusCode.NotFound);

        await admin.JsonAsync(HttpMethod.Put, $"/api/v1/admins/{path}", new { password = "admin-pass-1", role = "viewer" }, HttpStatusCode.Created);
        Assert.Contains(id, (await admin.GetAsync("/api/v1/admins")).EnumerateArray().Select(a => a.GetProperty("username").GetString()));
        await admin.JsonAsync(HttpMethod.Delete, $"/api/v1/admins/{path}", expected: HttpStatusCode.NoContent);
    }
}
