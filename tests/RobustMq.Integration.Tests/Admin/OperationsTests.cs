using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Admin;

/// <summary>
/// Trace, slow subscriptions and alarms (issue 14) over real HTTP, with real MQTT clients, against a running broker (in
/// the cluster run two silos: consecutive clients are on different silos, and the answers must hold both's).
/// </summary>
public sealed class OperationsTests(OpsBrokerFixture broker) : IClassFixture<OpsBrokerFixture>, IDisposable
{
    private readonly AdminHttp _admin = new(broker.AdminPort);

    public void Dispose() => _admin.Dispose();

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null) => _admin.SendAsync(method, path, body);

    private Task<JsonElement> JsonAsync(HttpMethod method, string path, object? body = null, HttpStatusCode expected = HttpStatusCode.OK) =>
        _admin.JsonAsync(method, path, body, expected);

    private async Task<string> DownloadAsync(string name)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/api/v1/trace/{name}/download");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"download {name}: {(int)response.StatusCode} {text}");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        return text;
    }

    private static string Id() => Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_client_id_trace_records_that_clients_packets_decoded_and_nothing_of_another_client()
    {
        var id = Id();
        var name = "by-client-" + id;
        var traced = "trace-c-" + id;
        var created = await JsonAsync(HttpMethod.Post, "/api/v1/trace", new { name, type = "clientid", clientid = traced, duration_s = 120 }, HttpStatusCode.Created);
        Assert.Equal("running", created.GetProperty("status").GetString());
        Assert.Equal(traced, created.GetProperty("clientid").GetString());

        using var client = await Mqtt.ConnectAsync(broker, traced);
        using var other = await Mqtt.ConnectAsync(broker, "trace-other-" + id);
        await client.SubscribeAsync($"tc/{id}/#", MqttQualityOfServiceLevel.AtLeastOnce);
        await other.SubscribeAsync($"tc/{id}/#", MqttQualityOfServiceLevel.AtLeastOnce);
        await client.PublishAsync(Mqtt.Message($"tc/{id}/a", "hello-traced", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await other.PublishAsync(Mqtt.Message($"tc/{id}/b", "from-other", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var log = "";
        await Eventually.TrueAsync(async () =>
        {
            log = await DownloadAsync(name);
            return log.Contains($"{traced}@", StringComparison.Ordinal) && log.Contains("OUT PUBLISH(Q1, R0, D0, Topic=tc/" + id + "/b", StringComparison.Ordinal)
                && log.Contains(" OUT PUBACK(", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(10), $"the trace holds the client's packets; it has:\n{log}");

        var lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToList();
        Assert.Contains(lines, l => l.Contains($" IN CONNECT(Proto=MQTT, Ver=5, CleanStart=True", StringComparison.Ordinal) && l.Contains($"ClientId={traced}", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(" OUT CONNACK(Ack=0, ReasonCode=0x00", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains($" IN SUBSCRIBE(PacketId=", StringComparison.Ordinal) && l.Contains($"TopicFilters=[tc/{id}/#(Q1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains($" IN PUBLISH(Q1, R0, D0, Topic=tc/{id}/a, PacketId=", StringComparison.Ordinal) && l.Contains("PayloadSize=12, Payload=\"hello-traced\"", StringComparison.Ordinal));
        Assert.All(lines, l =>
        {
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ", l);
            Assert.StartsWith(traced + "@", l.Split(' ')[1], StringComparison.Ordinal);
        });
        Assert.DoesNotContain("trace-other-" + id + "@", log, StringComparison.Ordinal);

        await JsonAsync(HttpMethod.Delete, $"/api/v1/trace/{name}", expected: HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task A_topic_trace_records_the_topics_packets_of_every_node_and_is_listed_stopped_and_deleted()
    {
        var id = Id();
        var name = "by-topic-" + id;
        await JsonAsync(HttpMethod.Post, "/api/v1/trace", new { name, type = "topic", topic = $"tt/{id}/#" }, HttpStatusCode.Created);

        // In the cluster run the subscriber and the publisher are on different silos.
        using var subscriber = await Mqtt.ConnectAsync(broker, "tt-sub-" + id);
        using var publisher = await Mqtt.ConnectAsync(broker, "tt-pub-" + id);
        await subscriber.SubscribeAsync($"tt/{id}/#");
        await subscriber.SubscribeAsync($"untraced/{id}");
        await publisher.PublishAsync(Mqtt.Message($"tt/{id}/x", "topic-payload").Build());
        await publisher.PublishAsync(Mqtt.Message($"untraced/{id}", "not-traced").Build());

        var log = "";
        await Eventually.TrueAsync(async () =>
        {
            log = await DownloadAsync(name);
            return log.Contains($"tt-sub-{id}@", StringComparison.Ordinal) && log.Contains($"tt-pub-{id}@", StringComparison.Ordinal)
                && log.Contains($" OUT PUBLISH(Q0, R0, D0, Topic=tt/{id}/x", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(10), $"the trace holds the subscriber's and the publisher's packets; it has:\n{log}");

        Assert.Contains($"tt-sub-{id}@", log.Split('\n').Single(l => l.Contains(" IN SUBSCRIBE(", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains($"tt-pub-{id}@", log.Split('\n').Single(l => l.Contains(" IN PUBLISH(", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.DoesNotContain("not-traced", log, StringComparison.Ordinal);
        Assert.DoesNotContain($"untraced/{id}", log, StringComparison.Ordinal);
        Assert.DoesNotContain(" CONNECT(", log, StringComparison.Ordinal);
        // One comment line per node: both silos' files are in the download.
        Assert.Equal(BrokerFixture.ClusterMode ? 2 : 1, log.Split('\n').Count(l => l.StartsWith("# node ", StringComparison.Ordinal)));

        var list = await JsonAsync(HttpMethod.Get, "/api/v1/trace");
        var item = list.GetProperty("data").EnumerateArray().Single(t => t.GetProperty("name").GetString() == name);
        Assert.Equal(("topic", $"tt/{id}/#", "running"), (item.GetProperty("type").GetString(), item.GetProperty("topic").GetString(), item.GetProperty("status").GetString()));
        Assert.True(item.GetProperty("log_size").GetInt64() > 0, item.ToString());
        Assert.Equal(0, list.GetProperty("nodes_not_answering").GetInt32());

        var stopped = await JsonAsync(HttpMethod.Put, $"/api/v1/trace/{name}/stop");
        Assert.Equal("stopped", stopped.GetProperty("status").GetString());
        await publisher.PublishAsync(Mqtt.Message($"tt/{id}/x", "after-stop").Build());
        await JsonAsync(HttpMethod.Delete, $"/api/v1/trace/{name}", expected: HttpStatusCode.NoContent);
        await JsonAsync(HttpMethod.Get, $"/api/v1/trace/{name}/download", expected: HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_address_trace_follows_a_client_from_it_and_a_bad_filter_or_a_taken_name_is_refused()
    {
        var id = Id();
        await JsonAsync(HttpMethod.Post, "/api/v1/trace", new { name = "bad/name", type = "clientid", clientid = "x" }, HttpStatusCode.BadRequest);
        await JsonAsync(HttpMethod.Post, "/api/v1/trace", new { name = "bad-" + id + "\n", type = "clientid", clientid = "x" }, HttpStatusCode.BadRequest);
        await JsonAsync(HttpMethod.Post, "/api/v1/trace", new { name = "bad-" + id, type = "topic", topic = "a/#/b" }, HttpStatusCode.BadRequest);
        await JsonAsync(HttpMethod.Post, "/api/v1/trace", new { name = "bad-" + id, type = "ip_address", ip_address = "not-an-ip" }, HttpStatusCode.BadRequest);
        await JsonAsync(HttpMethod.Post, "/api/v1/trace", new { name = "ip-" + id, type = "ip_address", ip_address = "127.0.0.1", duration_s = 30 }, HttpStatusCode.Created);
        using (var client = await Mqtt.ConnectAsync(broker, "ip-traced-" + id))
        {
            var log = "";
            await Eventually.TrueAsync(async () => (log = await DownloadAsync("ip-" + id)).Contains($"ClientId=ip-traced-{id}", StringComparison.Ordinal),
                TimeSpan.FromSeconds(10), $"the address trace holds the CONNECT of a client from 127.0.0.1; it has:\n{log}");
        }

        var taken = await JsonAsync(HttpMethod.Post, "/api/v1/trace", new { name = "ip-" + id, type = "clientid", clientid = "x" }, HttpStatusCode.Conflict);
        Assert.Equal("ALREADY_EXISTS", taken.GetProperty("code").GetString());
        await JsonAsync(HttpMethod.Delete, $"/api/v1/trace/ip-{id}", expected: HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Stopped_traces_count_against_the_limit_and_a_viewer_may_list_traces_but_not_download_them()
    {
        var id = Id();
        var made = new List<string>();
        try
        {
            var first = "lim-" + id + "-0";
            await JsonAsync(HttpMethod.Post, "/api/v1/trace", new { name = first, type = "clientid", clientid = "lim-" + id }, HttpStatusCode.Created);
            made.Add(first);
            await JsonAsync(HttpMethod.Put, $"/api/v1/trace/{first}/stop");

            // Trace:MaxTraces is 6 here: the stopped one still takes a place.
            var stored = (await JsonAsync(HttpMethod.Get, "/api/v1/trace")).GetProperty("meta").GetProperty("count").GetInt32();
            for (var i = 1; stored < 6; i++, stored++)
            {
                await JsonAsync(HttpMethod.Post, "/api/v1/trace", new { name = $"lim-{id}-{i}", type = "clientid", clientid = "lim-" + id }, HttpStatusCode.Created);
                made.Add($"lim-{id}-{i}");
            }

            var refused = await JsonAsync(HttpMethod.Post, "/api/v1/trace", new { name = $"lim-{id}-x", type = "clientid", clientid = "lim-" + id }, HttpStatusCode.Conflict);
            Assert.Equal("TOO_MANY_TRACES", refused.GetProperty("code").GetString());

            using (var account = await SendAsync(HttpMethod.Put, "/api/v1/admins/trace-viewer", new { password = "viewer-pass-1", role = "viewer" }))
            {
                Assert.True(account.IsSuccessStatusCode, $"making a viewer: {(int)account.StatusCode}");
            }

            using var viewer = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{broker.AdminPort}"), Timeout = TimeSpan.FromSeconds(15) };
            using (var login = await viewer.PostAsJsonAsync("/api/v1/login", new { username = "trace-viewer", password = "viewer-pass-1" }))
            {
                Assert.Equal(HttpStatusCode.OK, login.StatusCode);
                viewer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString());
            }

            using (var list = await viewer.GetAsync("/api/v1/trace"))
            {
                Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            }

            using (var download = await viewer.GetAsync($"/api/v1/trace/{first}/download"))
            {
                Assert.Equal(HttpStatusCode.Forbidden, download.StatusCode);
                Assert.Contains("FORBIDDEN", await download.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            await DownloadAsync(first);
        }
        finally
        {
            foreach (var name in made)
            {
                await JsonAsync(HttpMethod.Delete, $"/api/v1/trace/{name}", expected: HttpStatusCode.NoContent);
            }

            (await SendAsync(HttpMethod.Delete, "/api/v1/admins/trace-viewer")).Dispose();
        }
    }

    [Fact]
    public async Task A_subscriber_that_delays_its_puback_is_listed_as_a_slow_subscription()
    {
        var id = Id();
        var settings = await JsonAsync(HttpMethod.Put, "/api/v1/slow_subscriptions/settings", new { enable = true, threshold_ms = 300 });
        Assert.Equal((true, 300, 10, 300), (settings.GetProperty("enable").GetBoolean(), settings.GetProperty("threshold_ms").GetInt32(),
            settings.GetProperty("top_k").GetInt32(), settings.GetProperty("expire_interval_s").GetInt32()));
        try
        {
            using var slow = await Mqtt.ConnectAsync(broker, "slow-sub-" + id);
            var received = new TaskCompletionSource<MqttApplicationMessageReceivedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
            slow.ApplicationMessageReceivedAsync += e =>
            {
                e.AutoAcknowledge = false;
                received.TrySetResult(e);
                return Task.CompletedTask;
            };
            await slow.SubscribeAsync($"slow/{id}", MqttQualityOfServiceLevel.AtLeastOnce);
            using var publisher = await Mqtt.ConnectAsync(broker, "slow-pub-" + id);
            await publisher.PublishAsync(Mqtt.Message($"slow/{id}", "late", MqttQualityOfServiceLevel.AtLeastOnce).Build());
            var message = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
            // The behaviour under test: the PUBACK goes 600 ms after the message arrived.
            await Task.Delay(600);
            await message.AcknowledgeAsync(CancellationToken.None);

            JsonElement entry = default;
            await Eventually.TrueAsync(async () =>
            {
                var list = await JsonAsync(HttpMethod.Get, "/api/v1/slow_subscriptions");
                entry = list.GetProperty("data").EnumerateArray().FirstOrDefault(s => s.GetProperty("clientid").GetString() == "slow-sub-" + id);
                return entry.ValueKind == JsonValueKind.Object;
            }, TimeSpan.FromSeconds(10), "the slow subscriber is listed");
            Assert.Equal($"slow/{id}", entry.GetProperty("topic").GetString());
            Assert.InRange(entry.GetProperty("timespan").GetInt64(), 600, 10_000);
            Assert.False(string.IsNullOrEmpty(entry.GetProperty("node").GetString()));
            Assert.True(entry.GetProperty("last_update_time").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));

            await JsonAsync(HttpMethod.Delete, "/api/v1/slow_subscriptions", expected: HttpStatusCode.NoContent);
            var cleared = await JsonAsync(HttpMethod.Get, "/api/v1/slow_subscriptions");
            Assert.Equal(0, cleared.GetProperty("meta").GetProperty("count").GetInt32());
        }
        finally
        {
            await JsonAsync(HttpMethod.Put, "/api/v1/slow_subscriptions/settings", new { enable = false, threshold_ms = 500 });
        }
    }

    [Fact]
    public async Task Slow_subscription_settings_out_of_range_are_refused()
    {
        var refused = await JsonAsync(HttpMethod.Put, "/api/v1/slow_subscriptions/settings", new { top_k = 0 }, HttpStatusCode.BadRequest);
        Assert.Contains("top_k", refused.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_memory_alarm_over_its_watermark_is_listed_for_every_node()
    {
        JsonElement[] alarms = [];
        await Eventually.TrueAsync(async () =>
        {
            var list = await JsonAsync(HttpMethod.Get, "/api/v1/alarms?activated=true");
            alarms = [.. list.GetProperty("data").EnumerateArray().Where(a => a.GetProperty("name").GetString() == "high_system_memory_usage")];
            return alarms.Length == (BrokerFixture.ClusterMode ? 2 : 1);
        }, TimeSpan.FromSeconds(10), "every node lists high_system_memory_usage");

        Assert.Equal(alarms.Length, alarms.Select(a => a.GetProperty("node").GetString()).Distinct().Count());
        Assert.All(alarms, a =>
        {
            Assert.True(a.GetProperty("activated").GetBoolean());
            Assert.Equal(JsonValueKind.Null, a.GetProperty("deactivated_at").ValueKind);
            Assert.Equal("1%", a.GetProperty("details").GetProperty("high_watermark").GetString());
            Assert.Contains("higher than 1%", a.GetProperty("message").GetString(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_subscriber_queue_overflowing_raises_queue_limit_hit_on_sys_and_it_clears_after()
    {
        var id = Id();
        using var watcher = await Mqtt.ConnectAsync(broker, "alarm-watch-" + id);
        var alerts = new List<(string Topic, string Payload)>();
        watcher.ApplicationMessageReceivedAsync += e =>
        {
            lock (alerts)
            {
                alerts.Add((e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload)));
            }

            return Task.CompletedTask;
        };
        await watcher.SubscribeAsync("$SYS/brokers/+/alarms/#");

        // A QoS 0 subscriber that never reads: its socket fills, then its queue of 10, then messages are dropped.
        using var stuck = await RawClient.OpenAsync(broker);
        await stuck.ConnectAsync("alarm-stuck-" + id);
        await stuck.SendAsync(RawPackets.Subscribe(1, $"ql/{id}", RawPackets.V5));
        await stuck.ExpectAsync(9, "SUBACK of the stuck subscriber");
        using var publisher = await Mqtt.ConnectAsync(broker, "alarm-pub-" + id);
        var payload = new byte[64 * 1024];
        for (var i = 0; i < 400; i++)
        {
            await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"ql/{id}").WithPayload(payload).Build());
        }

        await Eventually.TrueAsync(() =>
        {
            lock (alerts)
            {
                return alerts.Exists(a => a.Topic.EndsWith("/alarms/alert", StringComparison.Ordinal) && a.Payload.Contains("\"queue_limit_hit\"", StringComparison.Ordinal));
            }
        }, TimeSpan.FromSeconds(15), "queue_limit_hit is published on $SYS/brokers/<node>/alarms/alert");

        string alert;
        lock (alerts)
        {
            alert = alerts.First(a => a.Payload.Contains("\"queue_limit_hit\"", StringComparison.Ordinal)).Payload;
        }

        var json = JsonDocument.Parse(alert).RootElement;
        Assert.True(json.GetProperty("activated").GetBoolean());
        Assert.True(long.Parse(json.GetProperty("details").GetProperty("dropped_messages").GetString()!, CultureInfo.InvariantCulture) > 0);
        Assert.False(string.IsNullOrEmpty(json.GetProperty("node").GetString()));

        // No more drops: the next check deactivates it, published on .../alarms/clear and listed as deactivated.
        await Eventually.TrueAsync(() =>
        {
            lock (alerts)
            {
                return alerts.Exists(a => a.Topic.EndsWith("/alarms/clear", StringComparison.Ordinal) && a.Payload.Contains("\"queue_limit_hit\"", StringComparison.Ordinal));
            }
        }, TimeSpan.FromSeconds(15), "queue_limit_hit is cleared on $SYS/brokers/<node>/alarms/clear");
        var deactivated = await JsonAsync(HttpMethod.Get, "/api/v1/alarms?activated=false");
        Assert.Contains(deactivated.GetProperty("data").EnumerateArray(), a => a.GetProperty("name").GetString() == "queue_limit_hit" && !a.GetProperty("activated").GetBoolean());
    }

    [Fact]
    [Trait("Topology", "SingleNode")]
    public async Task Robust_ctl_starts_lists_downloads_and_deletes_a_trace_and_lists_alarms_and_slow_subscriptions()
    {
        var id = Id();
        var name = "ctl-" + id;
        var (code, output, error) = await CtlAsync("--output", "json", "mqtt", "trace", "start", "--name", name, "--type", "clientid", "--clientid", "ctl-traced-" + id, "--duration-s", "60");
        Assert.True(code == 0, $"trace start: exit {code}: {error}");
        Assert.Equal("running", JsonDocument.Parse(output).RootElement.GetProperty("status").GetString());

        using (var client = await Mqtt.ConnectAsync(broker, "ctl-traced-" + id))
        {
            await client.PingAsync();
        }

        (code, output, error) = await CtlAsync("mqtt", "trace", "list");
        Assert.True(code == 0, $"trace list: exit {code}: {error}");
        Assert.Contains(name, output, StringComparison.Ordinal);
        Assert.Contains("LOG_SIZE", output, StringComparison.Ordinal);

        await Eventually.TrueAsync(async () =>
        {
            (code, output, error) = await CtlAsync("mqtt", "trace", "download", "--name", name);
            return code == 0 && output.Contains(" IN PINGREQ()", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(20), $"trace download shows the PINGREQ: exit {code}: {output} {error}");
        Assert.Contains($"ctl-traced-{id}@", output, StringComparison.Ordinal);

        (code, output, error) = await CtlAsync("mqtt", "trace", "delete", "--name", name);
        Assert.True(code == 0 && output.Contains("deleted", StringComparison.Ordinal), $"trace delete: exit {code}: {output} {error}");

        (code, output, error) = await CtlAsync("mqtt", "system-alarm", "list", "--activated", "true");
        Assert.True(code == 0 && output.Contains("high_system_memory_usage", StringComparison.Ordinal), $"system-alarm list: exit {code}: {output} {error}");
        (code, output, error) = await CtlAsync("--output", "json", "mqtt", "slow-subscribe", "list");
        Assert.True(code == 0 && JsonDocument.Parse(output).RootElement.TryGetProperty("data", out _), $"slow-subscribe list: exit {code}: {output} {error}");
    }

    private Task<(int ExitCode, string Output, string Error)> CtlAsync(params string[] arguments) => RobustCtl.RunAsync(broker.AdminPort, arguments);
}
