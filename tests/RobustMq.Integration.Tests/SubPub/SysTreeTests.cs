using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.SubPub;

/// <summary>
/// The full <c>$SYS</c> tree (RobustMQ's and EMQX's topics, every <c>Sys:IntervalSeconds</c>, 1 s in the fixtures) and
/// the client events (<c>$SYS/brokers/{node}/clients/{clientid}/connected|disconnected|subscribed|unsubscribed</c>).
/// </summary>
public sealed class SysTreeTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    /// <summary>Every topic under <c>$SYS/brokers/{node}/</c> the tree must have (REFERENCE.md 2.1).</summary>
    private static readonly string[] Tree =
    [
        "version", "uptime", "datetime", "sysdescr",
        .. new[] { "connections", "topics", "routes", "subscribers", "subscriptions", "subscriptions/shared", "suboptions" }.SelectMany(s => new[] { $"stats/{s}/count", $"stats/{s}/max" }),
        "metrics/bytes/received", "metrics/bytes/sent",
        .. new[] { "received", "sent", "dropped", "retained", "expired", "forward" }.Select(m => $"metrics/messages/{m}"),
        .. new[] { "qos0", "qos1", "qos2" }.SelectMany(q => new[] { $"metrics/messages/{q}/received", $"metrics/messages/{q}/sent" }),
        "metrics/messages/qos2/expired", "metrics/messages/qos2/dropped",
        .. new[] { "received", "sent", "connect", "connack", "subscribe", "suback", "unsubscribe", "unsuback", "pingreq", "pingresp", "auth" }.Select(p => $"metrics/packets/{p}"),
        "metrics/packets/publish/received", "metrics/packets/publish/sent",
        .. new[] { "puback", "pubrec", "pubrel", "pubcomp" }.SelectMany(p => new[] { $"metrics/packets/{p}/received", $"metrics/packets/{p}/sent", $"metrics/packets/{p}/missed" }),
        "metrics/packets/disconnect/received", "metrics/packets/disconnect/sent",
    ];

    [Fact]
    public async Task The_sys_tree_has_every_topic_of_the_reference_retained_with_a_value()
    {
        using var client = await Mqtt.ConnectAsync(broker, "sys-tree");
        var received = new MessageCollector(client);

        await client.SubscribeAsync("$SYS/brokers/#", MqttQualityOfServiceLevel.AtMostOnce);

        var missing = new HashSet<string>(Tree, StringComparer.Ordinal) { "$SYS/brokers" };
        var node = "";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (missing.Count > 0 && DateTime.UtcNow < deadline)
        {
            var message = await received.NextAsync($"$SYS tree, still missing [{string.Join(", ", missing.Take(10))}]");
            var value = message.ConvertPayloadToString();
            if (message.Topic == "$SYS/brokers")
            {
                var nodes = JsonSerializer.Deserialize<string[]>(value)!;
                Assert.NotEmpty(nodes);
                missing.Remove(message.Topic);
                continue;
            }

            var parts = message.Topic.Split('/', 4);
            Assert.True(parts.Length == 4, $"unexpected $SYS topic {message.Topic}");
            node = parts[2];
            missing.Remove(parts[3]);
            if (parts[3].StartsWith("stats/", StringComparison.Ordinal) || parts[3].StartsWith("metrics/", StringComparison.Ordinal))
            {
                Assert.True(long.TryParse(value, out var number) && number >= 0, $"{message.Topic} should be a count, got '{value}'");
            }
        }

        Assert.True(missing.Count == 0, $"$SYS/brokers/{node}/... lacks: {string.Join(", ", missing)}");
    }

    [Fact]
    public async Task A_sys_subscriber_sees_another_clients_connected_subscribed_unsubscribed_and_disconnected_events()
    {
        using var watcher = await Mqtt.ConnectAsync(broker, "sys-events-watcher");
        var events = new MessageCollector(watcher);
        foreach (var kind in new[] { "connected", "subscribed", "unsubscribed", "disconnected" })
        {
            await watcher.SubscribeAsync($"$SYS/brokers/+/clients/sys-events-peer/{kind}", MqttQualityOfServiceLevel.AtMostOnce);
        }

        var peer = await Mqtt.ConnectAsync(broker, "sys-events-peer", configure: o => o.WithCredentials("peer-user", "secret").WithKeepAlivePeriod(TimeSpan.FromSeconds(42)));
        var connected = await NextEventAsync(events, "connected");
        Assert.Equal("sys-events-peer", connected.GetProperty("clientid").GetString());
        Assert.Equal("peer-user", connected.GetProperty("username").GetString());
        Assert.Equal("127.0.0.1", connected.GetProperty("ipaddress").GetString());
        Assert.Equal(5, connected.GetProperty("proto_ver").GetInt32());
        Assert.Equal(42, connected.GetProperty("keepalive").GetInt32());
        Assert.True(connected.GetProperty("connected_at").GetInt64() > 0);
        Assert.True(connected.GetProperty("ts").GetInt64() > 0);

        await peer.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic("events/+/x").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithNoLocal(true)).Build());
        var subscribed = await NextEventAsync(events, "subscribed");
        Assert.Equal("events/+/x", subscribed.GetProperty("topic").GetString());
        Assert.Equal(1, subscribed.GetProperty("opts").GetProperty("qos").GetInt32());
        Assert.Equal(1, subscribed.GetProperty("opts").GetProperty("nl").GetInt32());

        await peer.UnsubscribeAsync("events/+/x");
        var unsubscribed = await NextEventAsync(events, "unsubscribed");
        Assert.Equal("events/+/x", unsubscribed.GetProperty("topic").GetString());

        await peer.DisconnectAsync();
        peer.Dispose();
        var disconnected = await NextEventAsync(events, "disconnected");
        Assert.Equal("sys-events-peer", disconnected.GetProperty("clientid").GetString());
        Assert.True(disconnected.GetProperty("disconnected_at").GetInt64() > 0);
        Assert.False(string.IsNullOrEmpty(disconnected.GetProperty("reason").GetString()));
    }

    /// <summary>The next event, which must be <paramref name="kind"/>, not retained and at QoS 0; its JSON.</summary>
    private static async Task<JsonElement> NextEventAsync(MessageCollector events, string kind)
    {
        var message = await events.NextAsync($"the watcher waits for the peer's {kind} event");
        Assert.Matches($"^\\$SYS/brokers/[^/]+/clients/sys-events-peer/{kind}$", message.Topic);
        Assert.False(message.Retain, $"{message.Topic} must not be retained");
        Assert.Equal(MqttQualityOfServiceLevel.AtMostOnce, message.QualityOfServiceLevel);
        return JsonDocument.Parse(message.ConvertPayloadToString()).RootElement.Clone();
    }
}
