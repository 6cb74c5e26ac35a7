using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Session;

/// <summary>
/// A connection hands its session back however its transport ends. The connection under test runs on the broker's
/// own services behind a listener of the test, so its half-close can fail the way a TLS shutdown can.
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class HandBackTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Unacknowledged_message_is_resent_after_a_connection_whose_output_close_failed()
    {
        const string clientId = "handback-close-fails";
        const string topic = "handback/close";
        using var listener = TestListener.Start(broker, () => ValueTask.FromException(new NotSupportedException("half-close failed (like SslStream.ShutdownAsync)")));

        using (var raw = await RawClient.OpenAsync(listener.Port))
        {
            using var publisher = await Mqtt.ConnectAsync(broker, $"{clientId}-pub");
            await raw.ConnectAsync(clientId, RawPackets.V5, cleanStart: false, sessionExpiry: 60);
            await raw.SendAsync(RawPackets.Subscribe(1, topic, RawPackets.V5, qos: 1));
            await raw.ExpectAsync(RawPacket.SubAck, $"{clientId} waits for SUBACK");
            await publisher.PublishAsync(Mqtt.Message(topic, "unacked", MqttQualityOfServiceLevel.AtLeastOnce).Build());
            await raw.ExpectAsync(RawPacket.Publish, $"{clientId} waits for the message it will not acknowledge");
            await raw.SendAsync(RawPackets.Disconnect(RawPackets.V5));
            await listener.Served.WaitAsync(TimeSpan.FromSeconds(10));
        }

        using var resumed = await RawClient.OpenAsync(broker);
        var connAck = await resumed.ConnectAsync(clientId, RawPackets.V5, cleanStart: false, sessionExpiry: 0);
        var resent = await resumed.ExpectAsync(RawPacket.Publish, $"{clientId} (resumed on the broker) waits for the message the failed connection handed back");

        Assert.True(connAck.SessionPresent);
        Assert.Equal(("unacked", true), (resent.PayloadText(RawPackets.V5), resent.Dup));
        await resumed.SendAsync(RawPackets.PubAck(resent.PacketId));
        await resumed.SendAsync(RawPackets.Disconnect(RawPackets.V5));
    }
}
