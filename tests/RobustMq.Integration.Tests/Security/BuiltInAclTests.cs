using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Security;

/// <summary>
/// A broker whose ACL sources are the built-in store (<c>/api/acl</c>) and then an HTTP service (a real Kestrel
/// endpoint on a free loopback port), before a file that allows everything. The endpoint gives user <c>h-deny</c> a
/// deny for publishing to <c>hx/#</c>, answers 500 for <c>h-500</c>, 404 for <c>h-404</c> (a wrong URL is not "no
/// rules"), and 204 (no rules) for everyone else. The file is looked at for a change every second.
/// </summary>
public sealed class BuiltInAclBrokerFixture : BrokerFixture
{
    private readonly string _acl = Path.Combine(Path.GetTempPath(), $"robustmq-builtin-acl-{Guid.NewGuid():N}.acl");

    /// <summary>The ACL file the broker reads (again every second when it changed).</summary>
    public string AclPath => _acl;
    private readonly int _endpointPort = FreePorts.Next();
    private WebApplication? _endpoint;

    public BuiltInAclBrokerFixture() => File.WriteAllText(_acl, "allow all #\n");

    /// <summary>The bodies the endpoint was sent, by client id.</summary>
    public ConcurrentDictionary<string, JsonElement> Seen { get; } = new(StringComparer.Ordinal);

    protected override IEnumerable<string> ExtraArguments =>
    [
        "--Acl:Sources:0=builtin", "--Acl:Sources:1=http", $"--Acl:File={_acl}", "--Acl:ReloadSeconds=1",
        $"--Acl:Http:Url=http://127.0.0.1:{_endpointPort}/mqtt/acl", "--Acl:Http:TimeoutMs=2000",
    ];

    public override async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_endpointPort}");
        _endpoint = builder.Build();
        _endpoint.MapPost("/mqtt/acl", async (HttpContext http) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body);
            Seen[body.GetProperty("clientid").GetString() ?? ""] = body;
            return body.GetProperty("username").GetString() switch
            {
                "h-deny" => Results.Text("{\"rules\":[{\"permission\":\"deny\",\"action\":\"publish\",\"topic\":\"hx/#\"}]}", "application/json"),
                "h-500" => Results.StatusCode(500),
                "h-404" => Results.NotFound(),
                _ => Results.NoContent(),
            };
        });
        await _endpoint.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_endpoint is not null)
        {
            await _endpoint.DisposeAsync();
        }

        File.Delete(_acl);
    }
}

/// <summary>
/// The built-in ACL store and the HTTP ACL source (issue 13) with real MQTTnet clients: rules by user, by client and
/// for all, their conditions (address, QoS, retain), and a change reaching clients that are connected.
/// </summary>
public sealed class BuiltInAclTests(BuiltInAclBrokerFixture broker) : IClassFixture<BuiltInAclBrokerFixture>, IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{broker.AdminPort}"), Timeout = TimeSpan.FromSeconds(10) };

    public void Dispose() => _http.Dispose();

    private async Task PutRulesAsync(string path, object[] rules, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await _http.PutAsJsonAsync($"/api/acl/{path}", new { rules });
        Assert.True(response.StatusCode == expected, $"PUT /api/acl/{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task<IMqttClient> ConnectAsync(string clientId, string? user)
    {
        var client = Mqtt.NewClient();
        var options = Mqtt.Options(broker, clientId);
        if (user is not null)
        {
            options.WithCredentials(user, "any");
        }

        var result = await client.ConnectAsync(options.Build());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }

    private static async Task<MqttClientPublishReasonCode> PublishAsync(IMqttClient client, string topic, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce, bool retain = false)
    {
        var result = await client.PublishAsync(Mqtt.Message(topic, "x", qos).WithRetainFlag(retain).Build());
        return result.ReasonCode;
    }

    [Fact]
    public async Task Rules_stored_for_a_user_a_client_and_all_apply_at_CONNECT_in_that_order()
    {
        await PutRulesAsync("users/acl-u1", [new { permission = "deny", action = "publish", topic = "u1/#" }, new { permission = "allow", action = "publish", topic = "shared/open" }]);
        await PutRulesAsync("clients/acl-c1", [new { permission = "deny", action = "publish", topic = "c1/#" }]);
        await PutRulesAsync("all", [new { permission = "deny", action = "publish", topic = "shared/#" }]);
        try
        {
            using var user = await ConnectAsync("acl-c1", "acl-u1");
            using var other = await ConnectAsync("acl-other", "acl-u2");

            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await PublishAsync(user, "u1/x"));
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await PublishAsync(user, "c1/x"));
            Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, await PublishAsync(user, "shared/open"));
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await PublishAsync(user, "shared/closed"));
            Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, await PublishAsync(other, "u1/x"));
            Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, await PublishAsync(other, "c1/x"));
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await PublishAsync(other, "shared/open"));
        }
        finally
        {
            using var deleted = await _http.DeleteAsync("/api/acl/all");
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
    }

    [Fact]
    public async Task A_change_reaches_a_connected_client_and_drops_a_subscription_it_no_longer_allows()
    {
        using var reader = await ConnectAsync("acl-live", "acl-live");
        using var writer = await ConnectAsync("acl-live-writer", null);
        var received = new ConcurrentQueue<string>();
        reader.ApplicationMessageReceivedAsync += e =>
        {
            received.Enqueue(e.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
        await reader.SubscribeAsync("live/#", MqttQualityOfServiceLevel.AtLeastOnce);
        await writer.PublishAsync(Mqtt.Message("live/before", "x", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await Eventually.TrueAsync(() => received.Contains("live/before"), TimeSpan.FromSeconds(10), "the allowed subscription delivers");
        Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, await PublishAsync(reader, "out/x"));

        await PutRulesAsync("users/acl-live", [new { permission = "deny", action = "all", topic = "live/#" }, new { permission = "deny", action = "publish", topic = "out/#" }]);

        // Every node is told: the reader's next publish is refused, and its subscription is gone.
        await Eventually.TrueAsync(async () => await PublishAsync(reader, "out/x") == MqttClientPublishReasonCode.NotAuthorized, TimeSpan.FromSeconds(10), "the new deny reaches the connected client");
        await Eventually.TrueAsync(async () => (await writer.PublishAsync(Mqtt.Message("live/probe", "x", MqttQualityOfServiceLevel.AtLeastOnce).Build())).ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers,
            TimeSpan.FromSeconds(10), "the subscription the rules now refuse is dropped");
        await writer.PublishAsync(Mqtt.Message("live/after", "x", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await Task.Delay(300);
        Assert.DoesNotContain("live/after", received);
        Assert.True(reader.IsConnected);

        using var deleted = await _http.DeleteAsync("/api/acl/users/acl-live");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await Eventually.TrueAsync(async () => await PublishAsync(reader, "out/x") == MqttClientPublishReasonCode.NoMatchingSubscribers, TimeSpan.FromSeconds(10), "deleting the rules lifts the deny");
    }

    [Fact]
    public async Task A_resumed_session_loses_a_subscription_its_rules_now_refuse_and_what_was_queued_for_it()
    {
        var options = Mqtt.Options(broker, "acl-resume").WithCredentials("acl-resume", "any").WithCleanStart(false).WithSessionExpiryInterval(300).Build();
        using (var first = Mqtt.NewClient())
        {
            await first.ConnectAsync(options);
            await first.SubscribeAsync("keep/#", MqttQualityOfServiceLevel.AtLeastOnce);
            await first.DisconnectAsync();
        }

        // The rules change once the server has closed that connection: the session is offline, not ending.
        await Eventually.TrueAsync(async () =>
        {
            using var login = await _http.PostAsJsonAsync("/api/v1/login", new { username = "admin", password = "public" });
            var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/clients/acl-resume");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using var found = await _http.SendAsync(request);
            return found.StatusCode == HttpStatusCode.NotFound;
        }, TimeSpan.FromSeconds(10), "the first connection is closed");
        await PutRulesAsync("users/acl-resume", [new { permission = "deny", action = "subscribe", topic = "keep/#" }]);
        using var writer = await ConnectAsync("acl-resume-writer", null);
        // In the cluster run the writer may be on the other silo, whose routes follow within moments.
        await Eventually.TrueAsync(async () => (await writer.PublishAsync(Mqtt.Message("keep/queued", "x", MqttQualityOfServiceLevel.AtLeastOnce).Build())).ReasonCode == MqttClientPublishReasonCode.Success,
            TimeSpan.FromSeconds(10), "a message is queued for the offline session");

        using var again = Mqtt.NewClient();
        var received = new ConcurrentQueue<string>();
        again.ApplicationMessageReceivedAsync += e =>
        {
            received.Enqueue(e.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
        var resumed = await again.ConnectAsync(options);

        Assert.True(resumed.IsSessionPresent);
        Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, (await writer.PublishAsync(Mqtt.Message("keep/after", "x", MqttQualityOfServiceLevel.AtLeastOnce).Build())).ReasonCode);
        await Task.Delay(300);
        Assert.Empty(received);
        await again.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithSessionExpiryInterval(0).Build());
    }

    [Fact]
    public async Task The_ACL_file_is_read_again_when_it_changes_and_one_that_does_not_parse_keeps_the_rules_in_force()
    {
        using var client = await ConnectAsync("acl-file", null);
        try
        {
            await File.WriteAllTextAsync(broker.AclPath, "deny publish file/#\nallow all #\n");
            await Eventually.TrueAsync(async () => await PublishAsync(client, "file/x") == MqttClientPublishReasonCode.NotAuthorized, TimeSpan.FromSeconds(10), "the changed file applies to a connected client");

            await File.WriteAllTextAsync(broker.AclPath, "deny publish file/#\nallow everything\n");
            await Task.Delay(2500);
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await PublishAsync(client, "file/x"));
        }
        finally
        {
            await File.WriteAllTextAsync(broker.AclPath, "allow all #\n");
        }

        await Eventually.TrueAsync(async () => await PublishAsync(client, "file/x") == MqttClientPublishReasonCode.NoMatchingSubscribers, TimeSpan.FromSeconds(10), "the restored file applies");
    }

    [Fact]
    public async Task Conditions_on_address_QoS_and_retain_decide_which_publishes_a_rule_refuses()
    {
        await PutRulesAsync("clients/acl-cond",
        [
            new { permission = "deny", action = "publish", topic = "q/#", qos = new[] { 1 } },
            new { permission = "deny", action = "publish", topic = "r/#", retain = true },
            new { permission = "deny", action = "publish", topic = "here/#", ipaddr = "127.0.0.0/8" },
            new { permission = "deny", action = "publish", topic = "far/#", ipaddr = "10.0.0.0/8" },
        ]);
        using var client = await ConnectAsync("acl-cond", null);

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await PublishAsync(client, "q/x", MqttQualityOfServiceLevel.AtLeastOnce));
        Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, await PublishAsync(client, "q/x", MqttQualityOfServiceLevel.ExactlyOnce));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await PublishAsync(client, "r/x", retain: true));
        Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, await PublishAsync(client, "r/x", retain: false));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await PublishAsync(client, "here/x"));
        Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, await PublishAsync(client, "far/x"));
    }

    [Fact]
    public async Task A_subscription_wider_than_a_stored_deny_is_refused_and_a_narrower_one_granted()
    {
        await PutRulesAsync("clients/acl-wide", [new { permission = "deny", action = "subscribe", topic = "wide/secret" }]);
        using var client = await ConnectAsync("acl-wide", null);

        var wide = await client.SubscribeAsync("wide/#", MqttQualityOfServiceLevel.AtLeastOnce);
        var narrow = await client.SubscribeAsync("wide/open", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, wide.Items.Single().ResultCode);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, narrow.Items.Single().ResultCode);
    }

    [Fact]
    public async Task The_HTTP_service_gives_rules_and_one_that_fails_refuses_the_client_as_unavailable()
    {
        using (var denied = await ConnectAsync("acl-h1", "h-deny"))
        {
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await PublishAsync(denied, "hx/1"));
            Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, await PublishAsync(denied, "hy/1"));
        }

        Assert.Equal("127.0.0.1", broker.Seen["acl-h1"].GetProperty("peerhost").GetString());
        using (var unknown = await ConnectAsync("acl-h2", "h-unknown"))
        {
            Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, await PublishAsync(unknown, "hx/1"));
        }

        foreach (var user in new[] { "h-500", "h-404" })
        {
            using var failing = Mqtt.NewClient();
            var result = await failing.ConnectAsync(Mqtt.Options(broker, "acl-" + user).WithCredentials(user, "any").Build());
            Assert.Equal(MqttClientConnectResultCode.ServerUnavailable, result.ResultCode);
        }
    }

    [Fact]
    public async Task A_client_id_with_slashes_is_addressed_as_itself_or_with_percent_2F()
    {
        await PutRulesAsync("clients/plant/line1/dev7", [new { permission = "deny", action = "publish", topic = "line/#" }]);
        using var client = await ConnectAsync("plant/line1/dev7", null);

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, await PublishAsync(client, "line/x"));
        using var read = await _http.GetAsync("/api/acl/clients/plant%2Fline1%2Fdev7");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("client/plant/line1/dev7", (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("who").GetString());
    }

    [Fact]
    public async Task The_API_lists_reads_and_deletes_entries_and_refuses_a_rule_that_is_not_one()
    {
        await PutRulesAsync("users/acl-api", [new { permission = "allow", action = "subscribe", topic = "api/#", qos = new[] { 0, 1 } }]);

        using (var one = await _http.GetAsync("/api/acl/users/acl-api"))
        {
            var entry = await one.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("user/acl-api", entry.GetProperty("who").GetString());
            Assert.Equal("api/#", entry.GetProperty("rules")[0].GetProperty("topic").GetString());
        }

        var all = await _http.GetFromJsonAsync<JsonElement>("/api/acl");
        Assert.Contains(all.EnumerateArray(), e => e.GetProperty("who").GetString() == "user/acl-api");

        await PutRulesAsync("users/acl-api", [new { permission = "deny", action = "publish", topic = "a/#/b" }], HttpStatusCode.BadRequest);
        await PutRulesAsync("users/acl-api", [new { permission = "deny", action = "publish", topic = "a", ipaddr = "10.1.0.0/8" }], HttpStatusCode.BadRequest);
        await PutRulesAsync("users/acl-api", [new { permission = "maybe", action = "publish", topic = "a" }], HttpStatusCode.BadRequest);
        await PutRulesAsync("users/acl-api", [new { permission = "deny", action = "publish", topic = "a", qos = Array.Empty<int>() }], HttpStatusCode.BadRequest);

        using (var deleted = await _http.DeleteAsync("/api/acl/users/acl-api"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var missing = await _http.GetAsync("/api/acl/users/acl-api");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Rules_added_one_by_one_at_once_are_all_kept_and_one_is_removed_by_its_fields()
    {
        // Each add is one POST, as the dashboard and robust-ctl send it: none may overwrite another. The first one alone
        // (it activates the subject's grain on a broker that may have just started), then the others at once.
        // Each add waits for its durable write, one after another, and for every node to read the rules again: on a
        // loaded machine that takes longer than this class's 10 s client timeout for the last of them.
        using var http = new HttpClient { BaseAddress = _http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var topics = Enumerable.Range(0, 5).Select(i => $"many/{i}").ToArray();
        foreach (var batch in new[] { topics[..1], topics[1..] })
        {
            await Task.WhenAll(batch.Select(async topic =>
        {
                using var response = await http.PostAsJsonAsync("/api/acl/rules", new { who = "user/acl-many", permission = "deny", action = "publish", topic });
                Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {topic}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }));
        }

        async Task<string[]> StoredAsync() => [.. (await http.GetFromJsonAsync<JsonElement>("/api/acl/users/acl-many")).GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("topic").GetString()!).Order(StringComparer.Ordinal)];
        Assert.Equal(topics.Order(StringComparer.Ordinal), await StoredAsync());

        async Task<HttpStatusCode> RemoveAsync(string topic)
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, "/api/acl/rules") { Content = JsonContent.Create(new { who = "user/acl-many", permission = "deny", action = "publish", topic }) };
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.NoContent, await RemoveAsync("many/3"));
        Assert.Equal(HttpStatusCode.NotFound, await RemoveAsync("many/3"));
        Assert.Equal(topics.Where(t => t != "many/3").Order(StringComparer.Ordinal), await StoredAsync());
        using var deleted = await http.DeleteAsync("/api/acl/users/acl-many");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }
}
