using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.SubPub;

/// <summary>
/// Every message discarded because its Message Expiry Interval passed (MQTT-3.3.2-5) is counted as
/// <c>robustmq_messages_dropped_total{reason="expired"}</c>, wherever it waited. The waits of 1.5 s let a one-second
/// expiry pass: that is the behaviour under test.
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class ExpiredDropMetricsTests(NoSysBrokerFixture broker) : IClassFixture<NoSysBrokerFixture>, IDisposable
{
    private const string Expired = "expired";
    private static readonly TimeSpan PastExpiry = TimeSpan.FromMilliseconds(1500);
    private readonly DropMetrics _metrics = new(broker);

    [Fact]
    public async Task Expired_retained_messages_found_by_a_subscribe_are_counted()
    {
        using var publisher = await Mqtt.ConnectAsync(broker, "xd-retained-pub");
        for (var i = 1; i <= 3; i++)
        {
            await publisher.PublishAsync(Mqtt.Message($"xd/r/{i}", "stale", MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().WithMessageExpiryInterval(1).Build());
        }

        var before = await _metrics.ReadAsync(Expired);
        await Task.Delay(PastExpiry);
        using var subscriber = await Mqtt.ConnectAsync(broker, "xd-retained-sub");
        var received = new MessageCollector(subscriber);
        await subscriber.SubscribeAsync("xd/r/#", MqttQualityOfServiceLevel.AtLeastOnce);

        await _metrics.WaitForAsync(Expired, before + 3, "after a subscribe found 3 expired retained messages");
        var sent = await received.NoneWithinAsync(TimeSpan.FromMilliseconds(300));
        Assert.True(sent is null, $"an expired retained message was sent: {sent?.Topic}");
    }

    [Fact]
    public async Task Expired_messages_in_an_offline_session_queue_are_counted()
    {
        using (var subscriber = await RawClient.OpenAsync(broker))
        {
            await subscriber.ConnectAsync("xd-offline", sessionExpiry: 60);
            await SubscribeAsync(subscriber, "xd/q");
            await subscriber.SendAsync(RawPackets.Disconnect(RawPackets.V5));
            await subscriber.ReadUntilClosedAsync("offline subscriber disconnects");
        }

        using var publisher = await Mqtt.ConnectAsync(broker, "xd-offline-pub");
        for (var i = 0; i < 4; i++)
        {
            await publisher.PublishAsync(Mqtt.Message("xd/q", $"e{i}", MqttQualityOfServiceLevel.AtLeastOnce).WithMessageExpiryInterval(1).Build());
        }

        await publisher.PublishAsync(Mqtt.Message("xd/q", "marker", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var before = await _metrics.ReadAsync(Expired);
        await Task.Delay(PastExpiry);

        using var again = await RawClient.OpenAsync(broker);
        await again.ConnectAsync("xd-offline", cleanStart: false, sessionExpiry: 0);
        var first = await again.ExpectAsync(RawPacket.Publish, "reconnected subscriber waits for its queue");
        Assert.Equal("marker", first.PayloadText(RawPackets.V5));
        await _metrics.WaitForAsync(Expired, before + 4, "after 4 queued messages expired in an offline session");
    }

    [Fact]
    public async Task Expired_qos1_messages_waiting_behind_a_full_inflight_window_are_not_sent_and_are_counted()
    {
        using var subscriber = await RawClient.OpenAsync(broker);
        await subscriber.ConnectAsync("xd-window", receiveMaximum: 1);
        await SubscribeAsync(subscriber, "xd/o");
        using var publisher = await Mqtt.ConnectAsync(broker, "xd-window-pub");
        await publisher.PublishAsync(Mqtt.Message("xd/o", "first", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var first = await subscriber.ExpectAsync(RawPacket.Publish, "subscriber waits for the first message (its window is now full)");
        for (var i = 0; i < 3; i++)
        {
            await publisher.PublishAsync(Mqtt.Message("xd/o", $"e{i}", MqttQualityOfServiceLevel.AtLeastOnce).WithMessageExpiryInterval(1).Build());
        }

        var before = await _metrics.ReadAsync(Expired);
        await Task.Delay(PastExpiry);
        await subscriber.SendAsync(RawPackets.PubAck(first.PacketId));
        await publisher.PublishAsync(Mqtt.Message("xd/o", "marker", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var next = await subscriber.ExpectAsync(RawPacket.Publish, "subscriber waits for the message after the expired ones");
        Assert.Equal("marker", next.PayloadText(RawPackets.V5));
        await _metrics.WaitForAsync(Expired, before + 3, "after 3 queued QoS 1 messages expired behind the inflight window");
    }

    [Fact]
    public async Task Expired_messages_of_a_shared_member_that_ends_are_counted_and_not_handed_on()
    {
        const string filter = "$share/xd/xd/s";
        using var memberA = await RawClient.OpenAsync(broker);
        await memberA.ConnectAsync("xd-share-a", receiveMaximum: 1);
        await SubscribeAsync(memberA, filter);
        using var publisher = await Mqtt.ConnectAsync(broker, "xd-share-pub");
        await publisher.PublishAsync(Mqtt.Message("xd/s", "kept", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        for (var i = 0; i < 2; i++)
        {
            await publisher.PublishAsync(Mqtt.Message("xd/s", $"e{i}", MqttQualityOfServiceLevel.AtLeastOnce).WithMessageExpiryInterval(1).Build());
        }

        await memberA.ExpectAsync(RawPacket.Publish, "member A waits for the first message");
        using var memberB = await Mqtt.ConnectAsync(broker, "xd-share-b");
        var received = new MessageCollector(memberB);
        await memberB.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        var before = await _metrics.ReadAsync(Expired);
        await Task.Delay(PastExpiry);

        memberA.Abort();

        Assert.Equal("kept", (await received.NextAsync("member B waits for the unexpired message member A held")).ConvertPayloadToString());
        await _metrics.WaitForAsync(Expired, before + 2, "after member A ended holding 2 expired messages");
        var extra = await received.NoneWithinAsync(TimeSpan.FromMilliseconds(300));
        Assert.True(extra is null, $"member B got the expired message '{extra?.ConvertPayloadToString()}'");
    }

    public void Dispose() => _metrics.Dispose();

    private static async Task SubscribeAsync(RawClient client, string filter)
    {
        await client.SendAsync(RawPackets.Subscribe(1, filter, RawPackets.V5, qos: 1));
        await client.ExpectAsync(RawPacket.SubAck, $"waits for SUBACK of {filter}");
    }
}
