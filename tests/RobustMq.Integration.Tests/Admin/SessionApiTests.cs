using System.Net;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Admin;

/// <summary>
/// Sessions, subscriptions, topics and shared groups in <c>/api/v1</c>, cluster-wide (issue 14): in the cluster run the
/// MQTT clients alternate between the two silos and the admin API is silo 0's, so each list must hold both silos'
/// clients, and a persistent session whose client left is listed too.
/// </summary>
public sealed class SessionApiTests(BrokerFixture broker) : IClassFixture<BrokerFixture>, IDisposable
{
    private readonly AdminHttp _api = new(broker.AdminPort);

    public void Dispose() => _api.Dispose();

    private static string Nodes(IEnumerable<JsonElement> items) =>
        string.Join(",", items.Select(i => i.GetProperty("node").GetString()).Distinct().Order(StringComparer.Ordinal));

    [Fact]
    public async Task Connected_and_stored_sessions_of_every_node_are_listed_read_and_deleted()
    {
        var clients = new List<IMqttClient>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                clients.Add(await Mqtt.ConnectAsync(broker, $"sess-live-{i}"));
            }

            // A persistent session whose client goes: only stored now.
            using (var leaving = await Mqtt.ConnectAsync(broker, "sess-stored", configure: o => o.WithCleanStart(false).WithSessionExpiryInterval(3600)))
            {
                await Mqtt.SubscribeAsync(leaving, f => f.WithTopic("sess/stored/#").WithAtLeastOnceQoS());
                await leaving.DisconnectAsync();
            }

            await Eventually.TrueAsync(async () => (await _api.GetAsync("/api/v1/sessions?clientid=sess-&connected=false")).GetProperty("meta").GetProperty("count").GetInt32() == 1,
                TimeSpan.FromSeconds(10), "the stored session is listed as disconnected");
            var all = await _api.GetAsync("/api/v1/sessions?clientid=sess-");
            Assert.Equal(5, all.GetProperty("meta").GetProperty("count").GetInt32());
            var live = (await _api.ListAsync("/api/v1/sessions?clientid=sess-live&connected=true")).ToList();
            Assert.Equal(["sess-live-0", "sess-live-1", "sess-live-2", "sess-live-3"], live.Select(s => s.GetProperty("clientid").GetString()));
            Assert.All(live, s => Assert.True(s.GetProperty("created_at").ValueKind == JsonValueKind.String));
            if (BrokerFixture.ClusterMode)
            {
                Assert.Equal(2, Nodes(live).Split(',').Length);
            }

            var paged = await _api.GetAsync("/api/v1/sessions?clientid=sess-live&limit=3&page=2&sort=clientid&order=desc");
            Assert.Equal("sess-live-0", Assert.Single(paged.GetProperty("data").EnumerateArray()).GetProperty("clientid").GetString());

            var stored = await _api.GetAsync("/api/v1/sessions/sess-stored");
            Assert.False(stored.GetProperty("connected").GetBoolean());
            Assert.Equal(3600u, stored.GetProperty("expiry_interval").GetUInt32());
            Assert.Equal(1, stored.GetProperty("subscriptions_cnt").GetInt32());
            Assert.Equal("sess/stored/#", stored.GetProperty("subscriptions")[0].GetProperty("topic").GetString());

            await _api.JsonAsync(HttpMethod.Delete, "/api/v1/sessions/sess-stored", expected: HttpStatusCode.NoContent);
            await _api.JsonAsync(HttpMethod.Get, "/api/v1/sessions/sess-stored", expected: HttpStatusCode.NotFound);
            await _api.JsonAsync(HttpMethod.Delete, "/api/v1/sessions/sess-stored", expected: HttpStatusCode.NotFound);

            // A connected client's session: the client is disconnected and its session is gone.
            await _api.JsonAsync(HttpMethod.Delete, "/api/v1/sessions/sess-live-1", expected: HttpStatusCode.NoContent);
            await Eventually.TrueAsync(() => !clients[1].IsConnected, TimeSpan.FromSeconds(10), "the deleted session's client is disconnected");
            await Eventually.TrueAsync(async () => (await _api.GetAsync("/api/v1/sessions?clientid=sess-")).GetProperty("meta").GetProperty("count").GetInt32() == 3,
                TimeSpan.FromSeconds(10), "the deleted sessions are no longer listed");
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
    public async Task Subscriptions_topics_and_shared_groups_of_every_node_are_listed()
    {
        var clients = new List<IMqttClient>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var client = await Mqtt.ConnectAsync(broker, $"subs-c-{i}");
                clients.Add(client);
                await Mqtt.SubscribeAsync(client, f => f.WithTopic($"subs/{i}/#").WithAtLeastOnceQoS().WithRetainHandling(MqttRetainHandling.DoNotSendOnSubscribe));
                if (i < 2)
                {
                    await Mqtt.SubscribeAsync(client, f => f.WithTopic("$share/g1/subs/shared"));
                }
            }

            var subscriptions = await _api.ListAsync("/api/v1/subscriptions?clientid=subs-c-");
            Assert.Equal(6, subscriptions.Count);
            var own = subscriptions.Single(s => s.GetProperty("topic").GetString() == "subs/2/#");
            Assert.Equal("subs-c-2", own.GetProperty("clientid").GetString());
            Assert.Equal(1, own.GetProperty("qos").GetInt32());
            Assert.Equal(2, own.GetProperty("rh").GetInt32());
            if (BrokerFixture.ClusterMode)
            {
                Assert.Equal(2, Nodes(subscriptions).Split(',').Length);
            }

            // Paged across the topic shards: each answers its first page x limit, merged by topic as subscribed.
            var second = await _api.GetAsync("/api/v1/subscriptions?clientid=subs-c-&sort=topic&limit=4&page=2");
            Assert.Equal(["subs/2/#", "subs/3/#"], second.GetProperty("data").EnumerateArray().Select(s => s.GetProperty("topic").GetString()));
            Assert.Equal(6, second.GetProperty("meta").GetProperty("count").GetInt32());
            Assert.False(second.GetProperty("meta").GetProperty("hasnext").GetBoolean());
            Assert.True((await _api.GetAsync("/api/v1/subscriptions?clientid=subs-c-&sort=topic&limit=4")).GetProperty("meta").GetProperty("hasnext").GetBoolean());
            var deep = await _api.JsonAsync(HttpMethod.Get, "/api/v1/subscriptions?page=11&limit=1000", expected: HttpStatusCode.BadRequest);
            Assert.Equal("PAGE_TOO_DEEP", deep.GetProperty("code").GetString());

            var shared = await _api.ListAsync("/api/v1/subscriptions?share_group=g1");
            Assert.Equal(["subs-c-0", "subs-c-1"], shared.Select(s => s.GetProperty("clientid").GetString()).Order(StringComparer.Ordinal));
            Assert.All(shared, s => Assert.Equal("$share/g1/subs/shared", s.GetProperty("topic").GetString()));
            Assert.Equal("subs-c-3", Assert.Single(await _api.ListAsync("/api/v1/subscriptions?clientid=subs-c-&match_topic=subs/3/x")).GetProperty("clientid").GetString());

            var group = Assert.Single(await _api.ListAsync("/api/v1/shared_groups?group=g1"));
            Assert.Equal("subs/shared", group.GetProperty("topic").GetString());
            Assert.Equal(2, group.GetProperty("members").GetArrayLength());

            var topics = await _api.ListAsync("/api/v1/topics?topic=subs/");
            Assert.Contains(topics, t => t.GetProperty("topic").GetString() == "subs/0/#");
            Assert.Contains(topics, t => t.GetProperty("topic").GetString() == "subs/shared");
            if (BrokerFixture.ClusterMode)
            {
                Assert.Equal(2, Nodes(topics).Split(',').Length);
            }
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
    public async Task A_subscription_added_for_a_client_delivers_to_it_and_one_removed_is_gone()
    {
        using var client = await Mqtt.ConnectAsync(broker, "behalf-c");
        var collector = new MessageCollector(client);

        var added = await _api.JsonAsync(HttpMethod.Post, "/api/v1/clients/behalf-c/subscribe", new { topic = "behalf/+/t", qos = 1 });
        Assert.Equal(1, added.GetProperty("qos").GetInt32());
        var session = await _api.GetAsync("/api/v1/sessions/behalf-c");
        Assert.Contains(session.GetProperty("subscriptions").EnumerateArray(), s => s.GetProperty("topic").GetString() == "behalf/+/t");

        // Published through the API (any node's route), received by the client on whichever node it is.
        await _api.JsonAsync(HttpMethod.Post, "/api/v1/publish", new { topic = "behalf/1/t", payload = "on its behalf", qos = 1 });
        var message = await collector.NextAsync("the message on the added subscription");
        Assert.Equal("behalf/1/t", message.Topic);
        Assert.Equal("on its behalf", message.ConvertPayloadToString());

        await _api.JsonAsync(HttpMethod.Post, "/api/v1/clients/behalf-c/unsubscribe", new { topic = "behalf/+/t" }, HttpStatusCode.NoContent);
        await _api.JsonAsync(HttpMethod.Post, "/api/v1/clients/behalf-c/unsubscribe", new { topic = "behalf/+/t" }, HttpStatusCode.NotFound);
        Assert.Empty(await _api.ListAsync("/api/v1/subscriptions?clientid=behalf-c"));

        await _api.JsonAsync(HttpMethod.Post, "/api/v1/clients/behalf-nobody/subscribe", new { topic = "t", qos = 0 }, HttpStatusCode.NotFound);
        await _api.JsonAsync(HttpMethod.Post, "/api/v1/clients/behalf-c/subscribe", new { topic = "bad/#/t", qos = 0 }, HttpStatusCode.BadRequest);
        Assert.True(client.IsConnected, "the client never saw a SUBACK or UNSUBACK it did not ask for");
    }

    [Fact]
    public async Task Retained_messages_published_through_the_API_are_listed_from_any_node_read_and_deleted()
    {
        using var subscriber = await Mqtt.ConnectAsync(broker, "ret-sub");
        var collector = new MessageCollector(subscriber);
        await Mqtt.SubscribeAsync(subscriber, f => f.WithTopic("ret/#").WithAtLeastOnceQoS());

        var published = await _api.JsonAsync(HttpMethod.Post, "/api/v1/publish", new
        {
            topic = "ret/a",
            payload = Convert.ToBase64String([0, 1, 2, 255]),
            payload_encoding = "base64",
            qos = 1,
            retain = true,
            properties = new { user_properties = new Dictionary<string, string> { ["k"] = "v" }, content_type = "application/octet-stream" },
        });
        Assert.Equal(32, published.GetProperty("id").GetString()!.Length);
        var live = await collector.NextAsync("the published message");
        Assert.Equal([0, 1, 2, 255], System.Buffers.BuffersExtensions.ToArray(live.Payload));
        Assert.Equal("application/octet-stream", live.ContentType);
        Assert.Contains(live.UserProperties, p => p.Name == "k" && p.ReadValueAsString() == "v");

        int[] adminPorts = BrokerFixture.ClusterMode ? [.. broker.Silos.Select(s => s.Ports["Admin:Port"])] : [broker.AdminPort];
        foreach (var port in adminPorts)
        {
            using var node = new AdminHttp(port);
            var listed = Assert.Single(await node.ListAsync("/api/v1/retainer/messages?topic=ret/"));
            Assert.Equal("ret/a", listed.GetProperty("topic").GetString());
            Assert.Equal(4, listed.GetProperty("payload_size").GetInt32());
        }

        var one = await _api.GetAsync("/api/v1/retainer/message/ret/a");
        Assert.Equal(Convert.ToBase64String([0, 1, 2, 255]), one.GetProperty("payload").GetString());
        Assert.Equal(1, one.GetProperty("qos").GetInt32());

        await _api.JsonAsync(HttpMethod.Delete, "/api/v1/retainer/message/ret/a", expected: HttpStatusCode.NoContent);
        await _api.JsonAsync(HttpMethod.Get, "/api/v1/retainer/message/ret/a", expected: HttpStatusCode.NotFound);
        Assert.Empty(await _api.ListAsync("/api/v1/retainer/messages?topic=ret/"));

        await _api.JsonAsync(HttpMethod.Post, "/api/v1/publish", new { topic = "ret/+", payload = "x" }, HttpStatusCode.BadRequest);
        await _api.JsonAsync(HttpMethod.Post, "/api/v1/publish", new { topic = "ret/b", payload = "x", payload_encoding = "base64" }, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_publish_whose_properties_mqtt_cannot_carry_is_refused_naming_the_field_and_subscribers_stay_connected()
    {
        using var subscriber = await Mqtt.ConnectAsync(broker, "pub-check-sub");
        var collector = new MessageCollector(subscriber);
        await Mqtt.SubscribeAsync(subscriber, f => f.WithTopic("pubcheck/#"));

        // Each over what an MQTT 5 PUBLISH can carry (MQTT 5 1.5.4, 1.5.6; Mqtt:MaxPacketSize, 1 MiB by default).
        (string Field, object Body)[] bad =
        [
            ("content_type", new { topic = "pubcheck/t", payload = "x", properties = new { content_type = new string('c', 70_000) } }),
            ("response_topic", new { topic = "pubcheck/t", payload = "x", properties = new { response_topic = "reply/\0" } }),
            ("correlation_data", new { topic = "pubcheck/t", payload = "x", properties = new { correlation_data = new string('d', 65_536) } }),
            ("user_properties", new { topic = "pubcheck/t", payload = "x", properties = new { user_properties = new Dictionary<string, string> { [new string('k', 65_536)] = "v" } } }),
            ("user_properties", new { topic = "pubcheck/t", payload = "x", properties = new { user_properties = new Dictionary<string, string> { ["k"] = "a\0b" } } }),
            ("Mqtt:MaxPacketSize", new { topic = "pubcheck/t", payload = new string('p', 1024 * 1024) }),
        ];
        foreach (var (field, body) in bad)
        {
            var refused = await _api.JsonAsync(HttpMethod.Post, "/api/v1/publish", body, HttpStatusCode.BadRequest);
            Assert.Contains(field, refused.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        // Nothing of those reached the subscriber, which is still connected and gets the next message.
        await _api.JsonAsync(HttpMethod.Post, "/api/v1/publish", new { topic = "pubcheck/ok", payload = "fine", properties = new { content_type = "text/plain" } });
        var received = await collector.NextAsync("the valid message");
        Assert.Equal("pubcheck/ok", received.Topic);
        Assert.Equal("text/plain", received.ContentType);
        Assert.True(subscriber.IsConnected);
    }

    [Fact]
    public async Task The_new_routes_are_in_the_OpenAPI_document()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{broker.AdminPort}") };
        var paths = JsonDocument.Parse(await http.GetStringAsync("/api/v1/openapi.json")).RootElement.GetProperty("paths");
        foreach (var path in new[]
        {
            "/api/v1/sessions", "/api/v1/sessions/{clientid}", "/api/v1/subscriptions", "/api/v1/clients/{clientid}/subscribe",
            "/api/v1/clients/{clientid}/unsubscribe", "/api/v1/topics", "/api/v1/retainer/messages", "/api/v1/retainer/message/{topic}",
            "/api/v1/publish", "/api/v1/shared_groups", "/api/v1/flapping", "/api/v1/configs",
        })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"the OpenAPI document lists {path}");
        }
    }
}
