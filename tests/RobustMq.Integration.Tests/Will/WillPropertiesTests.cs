using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Will;

/// <summary>A will is published with its will properties as sent in CONNECT (MQTT 5, 3.1.3.2). Byte-exact.</summary>
public sealed class WillPropertiesTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Theory]
    [InlineData("bh/wl", new byte[] { 0x03, 0x00, 0x01, (byte)'t' })]       // only a Content Type: no Correlation Data added
    [InlineData("bh/we", new byte[] { 0x03, 0x00, 0x00, 0x09, 0x00, 0x00 })] // empty Content Type and Correlation Data
    public async Task A_will_arrives_with_its_properties_as_sent(string topic, byte[] willProperties)
    {
        using var subscriber = await SubscribeAsync($"will-props-sub-{topic.Replace('/', '-')}", topic);
        using var client = await RawClient.OpenAsync(broker);
        await client.SendAsync(RawPackets.Connect5($"will-props-{topic.Replace('/', '-')}", [], new RawWill(topic, "m"), willProperties));
        await client.ExpectAsync(RawPacket.ConnAck, "client with a will waits for CONNACK");

        client.Abort();

        var received = await subscriber.ExpectAsync(RawPacket.Publish, "subscriber waits for the will");
        Assert.Equal(Convert.ToHexString(RawPackets.Publish5(topic, willProperties, "m")), RawPacketHex.Of(received));
    }

    [Fact]
    public async Task A_will_message_expiry_interval_counts_from_the_publication_of_the_will()
    {
        using var subscriber = await SubscribeAsync("will-expiry-sub", "bh/wx");
        using var client = await RawClient.OpenAsync(broker);
        byte[] expiry = [0x02, 0x00, 0x00, 0x00, 0x02]; // Message Expiry Interval 2 s
        await client.SendAsync(RawPackets.Connect5("will-expiry", [], new RawWill("bh/wx", "m"), expiry));
        await client.ExpectAsync(RawPacket.ConnAck, "client with a will waits for CONNACK");

        // The connection outlives the will's expiry interval: this wait is the behaviour under test (MQTT 5,
        // 3.1.3.2.4: the interval is the will's lifetime once published, not counted from CONNECT).
        await Task.Delay(TimeSpan.FromMilliseconds(2500));
        client.Abort();

        var received = await subscriber.ExpectAsync(RawPacket.Publish, "subscriber waits for the will published after 2.5 s");
        Assert.Equal(Convert.ToHexString(RawPackets.Publish5("bh/wx", expiry, "m")), RawPacketHex.Of(received));
    }

    private async Task<RawClient> SubscribeAsync(string clientId, string filter)
    {
        var subscriber = await RawClient.OpenAsync(broker);
        await subscriber.ConnectAsync(clientId);
        await subscriber.SendAsync(RawPackets.Subscribe(1, filter, RawPackets.V5));
        await subscriber.ExpectAsync(RawPacket.SubAck, $"{clientId} waits for SUBACK");
        return subscriber;
    }
}
