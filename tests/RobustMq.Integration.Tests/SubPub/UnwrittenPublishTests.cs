using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.SubPub;

/// <summary>
/// A PUBLISH the broker does not write (too large for the client, MQTT-3.1.2-25; expired, MQTT-3.3.2-5) changes no
/// state of the connection: no topic alias is recorded, no packet id is used, no Receive Maximum slot is held.
/// Byte-exact, with raw MQTT 5 subscribers.
/// </summary>
public sealed class UnwrittenPublishTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task A_publish_dropped_as_too_large_sets_no_topic_alias()
    {
        using var subscriber = await AliasSubscriberAsync("alias-big-sub", "ta/q0", qos: 0);
        using var publisher = await Mqtt.ConnectAsync(broker, "alias-big-pub");

        // 150 bytes towards a client whose Maximum Packet Size is 120: discarded (MQTT-3.1.2-25).
        await publisher.PublishAsync(Mqtt.Message("ta/q0", new string('x', 139), MqttQualityOfServiceLevel.AtMostOnce).Build());
        await publisher.PublishAsync(Mqtt.Message("ta/q0", "b1", MqttQualityOfServiceLevel.AtMostOnce).Build());
        await publisher.PublishAsync(Mqtt.Message("ta/q0", "b2", MqttQualityOfServiceLevel.AtMostOnce).Build());

        var first = await subscriber.ExpectAsync(RawPacket.Publish, "subscriber waits for the first small message");
        var second = await subscriber.ExpectAsync(RawPacket.Publish, "subscriber waits for the second small message");
        // Full topic with alias 1, then alias 1 alone.
        Assert.Equal("300D000574612F713003230001" + "6231", RawPacketHex.Of(first));
        Assert.Equal("3008000003230001" + "6232", RawPacketHex.Of(second));
    }

    [Fact]
    public async Task A_qos1_publish_dropped_as_too_large_takes_no_packet_id_nor_topic_alias()
    {
        using var subscriber = await AliasSubscriberAsync("alias-big1-sub", "ta/q1", qos: 1);
        using var publisher = await Mqtt.ConnectAsync(broker, "alias-big1-pub");

        await publisher.PublishAsync(Mqtt.Message("ta/q1", new string('x', 139), MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await publisher.PublishAsync(Mqtt.Message("ta/q1", "b1", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var received = await subscriber.ExpectAsync(RawPacket.Publish, "subscriber waits for the small QoS 1 message");
        // QoS 1, packet id 1, full topic with alias 1.
        Assert.Equal("320F000574612F7131000103230001" + "6231", RawPacketHex.Of(received));
    }

    [Fact]
    public async Task A_publish_that_fits_only_without_a_new_alias_is_sent_with_its_full_topic()
    {
        using var subscriber = await AliasSubscriberAsync("alias-edge-sub", "ta/ed", qos: 0);
        using var publisher = await Mqtt.ConnectAsync(broker, "alias-edge-pub");
        var payload = new string('y', 110); // 120 bytes exactly without a Topic Alias property, 123 with one

        await publisher.PublishAsync(Mqtt.Message("ta/ed", payload, MqttQualityOfServiceLevel.AtMostOnce).Build());
        await publisher.PublishAsync(Mqtt.Message("ta/ed", "b1", MqttQualityOfServiceLevel.AtMostOnce).Build());

        var edge = await subscriber.ExpectAsync(RawPacket.Publish, "subscriber waits for the 120-byte message");
        var next = await subscriber.ExpectAsync(RawPacket.Publish, "subscriber waits for the small message");
        Assert.Equal("3076000574612F656400" + Convert.ToHexString(System.Text.Encoding.ASCII.GetBytes(payload)), RawPacketHex.Of(edge));
        Assert.Equal("300D000574612F656403230001" + "6231", RawPacketHex.Of(next));
    }

    /// <summary>A raw MQTT 5 subscriber with Topic Alias Maximum 2 and Maximum Packet Size 120.</summary>
    private async Task<RawClient> AliasSubscriberAsync(string clientId, string filter, byte qos)
    {
        var subscriber = await RawClient.OpenAsync(broker);
        await subscriber.SendAsync(RawPackets.Connect5(clientId, [.. RawPackets.TopicAliasMaximum(2), .. RawPackets.MaximumPacketSize(120)]));
        await subscriber.ExpectAsync(RawPacket.ConnAck, $"{clientId} waits for CONNACK");
        await subscriber.SendAsync(RawPackets.Subscribe(1, filter, RawPackets.V5, qos));
        await subscriber.ExpectAsync(RawPacket.SubAck, $"{clientId} waits for SUBACK");
        return subscriber;
    }

    [Fact]
    public async Task An_expired_qos1_message_takes_no_packet_id()
    {
        using var subscriber = await RawClient.OpenAsync(broker);
        await subscriber.ConnectAsync("unwritten-expiry-sub", receiveMaximum: 1);
        await subscriber.SendAsync(RawPackets.Subscribe(1, "ux/ex", RawPackets.V5, qos: 1));
        await subscriber.ExpectAsync(RawPacket.SubAck, "subscriber waits for SUBACK");
        using var publisher = await Mqtt.ConnectAsync(broker, "unwritten-expiry-pub");
        await publisher.PublishAsync(Mqtt.Message("ux/ex", "a", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var first = await subscriber.ExpectAsync(RawPacket.Publish, "subscriber waits for the first message (its only Receive Maximum slot)");
        await publisher.PublishAsync(Mqtt.Message("ux/ex", "b", MqttQualityOfServiceLevel.AtLeastOnce).WithMessageExpiryInterval(1).Build());

        // The second message waits behind the unacknowledged first one until it expires: this wait is the behaviour under test.
        await Task.Delay(TimeSpan.FromMilliseconds(1500));
        await publisher.PublishAsync(Mqtt.Message("ux/ex", "c", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await subscriber.SendAsync(RawPackets.PubAck(first.PacketId));

        var next = await subscriber.ExpectAsync(RawPacket.Publish, "subscriber waits for the message after the expired one");
        // QoS 1, topic ux/ex, packet id 2, no properties, payload "c".
        Assert.Equal(("320B000575782F6578000200" + "63"), RawPacketHex.Of(next));
    }
}
