using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Retain;

/// <summary>A retained message keeps its properties as published: absent stays absent, empty stays empty. Byte-exact.</summary>
public sealed class RetainedPropertiesTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Theory]
    [InlineData("bh/rt", new byte[] { 0x03, 0x00, 0x01, (byte)'t' })]       // only a Content Type: no Correlation Data added
    [InlineData("bh/re", new byte[] { 0x03, 0x00, 0x00, 0x09, 0x00, 0x00 })] // empty Content Type and Correlation Data
    public async Task A_retained_message_reaches_a_new_subscriber_with_its_properties_as_published(string topic, byte[] properties)
    {
        using var publisher = await RawClient.OpenAsync(broker);
        await publisher.ConnectAsync($"retained-props-pub-{topic.Replace('/', '-')}");
        await publisher.SendAsync(RawPackets.Publish5(topic, properties, "m", qos: 1, packetId: 1, retain: true));
        await publisher.ExpectAsync(RawPacket.PubAck, "publisher waits for PUBACK of the retained message");

        using var subscriber = await RawClient.OpenAsync(broker);
        await subscriber.ConnectAsync($"retained-props-sub-{topic.Replace('/', '-')}");
        await subscriber.SendAsync(RawPackets.Subscribe(1, topic, RawPackets.V5));
        await subscriber.ExpectAsync(RawPacket.SubAck, "subscriber waits for SUBACK");
        var received = await subscriber.ExpectAsync(RawPacket.Publish, "subscriber waits for the retained message");

        // RETAIN 1 (MQTT-3.3.1-9), QoS 0 as subscribed, no packet id: otherwise the bytes the publisher sent.
        Assert.Equal(Convert.ToHexString(RawPackets.Publish5(topic, properties, "m", retain: true)), RawPacketHex.Of(received));
        await publisher.SendAsync(RawPackets.Publish5(topic, [], "", qos: 1, packetId: 2, retain: true));
        await publisher.ExpectAsync(RawPacket.PubAck, "publisher waits for PUBACK of the retained message's removal");
    }
}
