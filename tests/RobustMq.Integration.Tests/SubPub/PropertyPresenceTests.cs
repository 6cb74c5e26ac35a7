using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.SubPub;

/// <summary>
/// What a subscriber gets is what the publisher sent: an absent property stays absent, a present one stays present,
/// even when empty (MQTT-3.3.2-4, MQTT-3.3.2-15 to MQTT-3.3.2-18, MQTT-3.3.2-20). Byte-exact, with raw MQTT 5 clients.
/// </summary>
public sealed class PropertyPresenceTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task A_message_with_only_a_content_type_arrives_without_correlation_data()
    {
        using var subscriber = await SubscribeAsync("presence-ct-sub", "bh/hx");
        using var publisher = await RawClient.OpenAsync(broker);
        await publisher.ConnectAsync("presence-ct-pub");

        await publisher.SendAsync(RawPackets.Publish5("bh/hx", [0x03, 0x00, 0x01, (byte)'t'], "m"));

        var received = await subscriber.ExpectAsync(RawPacket.Publish, "subscriber waits for the message with a content type");
        Assert.Equal("300D000562682F687804030001746D", RawPacketHex.Of(received));
    }

    [Fact]
    public async Task Empty_content_type_and_correlation_data_arrive_present_and_empty()
    {
        using var subscriber = await SubscribeAsync("presence-empty-sub", "bh/em");
        using var publisher = await RawClient.OpenAsync(broker);
        await publisher.ConnectAsync("presence-empty-pub");

        await publisher.SendAsync(RawPackets.Publish5("bh/em", [0x03, 0x00, 0x00, 0x09, 0x00, 0x00], "m"));

        var received = await subscriber.ExpectAsync(RawPacket.Publish, "subscriber waits for the message with empty properties");
        Assert.Equal("300F000562682F656D06030000090000" + "6D", RawPacketHex.Of(received));
    }

    [Fact]
    public async Task Every_application_message_property_arrives_as_published()
    {
        using var subscriber = await SubscribeAsync("presence-all-sub", "bh/al");
        using var publisher = await RawClient.OpenAsync(broker);
        await publisher.ConnectAsync("presence-all-pub");
        byte[] properties =
        [
            0x01, 0x01,                                     // Payload Format Indicator 1
            0x03, 0x00, 0x01, (byte)'t',                    // Content Type "t"
            0x08, 0x00, 0x03, (byte)'r', (byte)'/', (byte)'t', // Response Topic "r/t"
            0x09, 0x00, 0x02, 0x00, 0xFF,                   // Correlation Data 00 FF
            0x26, 0x00, 0x01, (byte)'k', 0x00, 0x01, (byte)'v', // User Property k=v
            0x26, 0x00, 0x01, (byte)'k', 0x00, 0x00,        // User Property k=""
        ];
        var sent = RawPackets.Publish5("bh/al", properties, "m");

        await publisher.SendAsync(sent);

        var received = await subscriber.ExpectAsync(RawPacket.Publish, "subscriber waits for the message with every property");
        Assert.Equal(Convert.ToHexString(sent), RawPacketHex.Of(received));
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
