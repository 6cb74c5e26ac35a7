using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Limits;

public sealed class FlowControlTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    private const int BrokerReceiveMaximum = 128;

    [Fact]
    public async Task Qos2_publishes_beyond_the_receive_maximum_close_with_receive_maximum_exceeded()
    {
        using var bystander = await Bystander.ConnectAsync(broker, "flow-rm-bystander");
        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync("flow-rm", RawPackets.V5);
        var burst = new List<byte>();
        for (ushort id = 1; id <= BrokerReceiveMaximum + 1; id++)
        {
            burst.AddRange(RawPackets.Publish("flow/rm", "unreleased", RawPackets.V5, qos: 2, packetId: id));
        }

        await raw.SendAsync([.. burst]);
        var packets = await raw.ReadUntilClosedAsync($"connection after {BrokerReceiveMaximum + 1} QoS 2 PUBLISH without PUBREL");

        Assert.Equal(BrokerReceiveMaximum, packets.Count(p => p.Type == RawPacket.PubRec));
        var last = packets[^1];
        Assert.Equal((RawPacket.Disconnect, (byte)0x93), (last.Type, last.ReasonCode));
        await bystander.ProveServedAsync("after a client exceeded the receive maximum");
    }

    [Fact]
    public async Task Broker_sends_no_more_unacknowledged_qos1_messages_than_the_clients_receive_maximum()
    {
        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync("flow-window", RawPackets.V5, receiveMaximum: 1);
        await raw.SendAsync(RawPackets.Subscribe(1, "flow/window", RawPackets.V5, qos: 1));
        await raw.ExpectAsync(RawPacket.SubAck, "raw subscriber waits for SUBACK");
        using var publisher = await Mqtt.ConnectAsync(broker, "flow-window-pub");
        for (var i = 0; i < 3; i++)
        {
            await publisher.PublishAsync(Mqtt.Message("flow/window", $"m{i}", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        }

        var payloads = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var publish = await raw.ExpectAsync(RawPacket.Publish, $"raw subscriber waits for message {i + 1} of 3");
            payloads.Add(publish.PayloadText(RawPackets.V5));
            await Assert.ThrowsAsync<TimeoutException>(() => raw.ReadAsync($"window of 1 is full after message {i + 1}", TimeSpan.FromMilliseconds(300)));
            await raw.SendAsync(RawPackets.PubAck(publish.PacketId));
        }

        Assert.Equal(["m0", "m1", "m2"], payloads);
    }

    [Fact]
    public async Task Message_larger_than_the_clients_maximum_packet_size_is_not_sent_to_it()
    {
        using var subscriber = Mqtt.NewClient();
        var received = new MessageCollector(subscriber);
        await subscriber.ConnectAsync(Mqtt.Options(broker, "flow-size-sub").WithMaximumPacketSize(200).Build());
        await subscriber.SubscribeAsync("flow/size", MqttQualityOfServiceLevel.AtLeastOnce);
        using var publisher = await Mqtt.ConnectAsync(broker, "flow-size-pub");

        await publisher.PublishAsync(Mqtt.Message("flow/size", new string('z', 500), MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await publisher.PublishAsync(Mqtt.Message("flow/size", "small", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var message = await received.NextAsync("subscriber with Maximum Packet Size 200 waits for the small message");
        Assert.Equal("small", message.ConvertPayloadToString());
        Assert.True(subscriber.IsConnected);
    }
}
