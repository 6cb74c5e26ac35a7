using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Malformed;

/// <summary>
/// Bad bytes on one connection close that connection (with DISCONNECT and the reason code first on MQTT 5)
/// and leave every other client alone.
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class MalformedPacketTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    private const byte MalformedPacket = 0x81;
    private const byte ProtocolError = 0x82;

    [Theory]
    [InlineData(RawPackets.V311)]
    [InlineData(RawPackets.V5)]
    public async Task Publish_with_qos_3_closes_the_connection_as_malformed(byte level) =>
        await AssertClosedAsync(level, $"malformed-qos3-{level}", RawPackets.Publish(0x36, "bad/qos3"u8.ToArray(), "x", level, packetId: 1), MalformedPacket);

    [Theory]
    [InlineData(RawPackets.V311)]
    [InlineData(RawPackets.V5)]
    public async Task Subscribe_with_reserved_flag_bits_wrong_closes_the_connection_as_malformed(byte level) =>
        await AssertClosedAsync(level, $"malformed-subflags-{level}", RawPackets.Subscribe(1, "bad/flags", level, firstByte: 0x80), MalformedPacket);

    [Theory]
    [InlineData(RawPackets.V311)]
    [InlineData(RawPackets.V5)]
    public async Task Remaining_length_of_five_bytes_closes_the_connection_as_malformed(byte level) =>
        await AssertClosedAsync(level, $"malformed-length-{level}", [0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], MalformedPacket);

    [Theory]
    [InlineData(RawPackets.V311)]
    [InlineData(RawPackets.V5)]
    public async Task Topic_with_invalid_utf8_closes_the_connection_as_malformed(byte level) =>
        await AssertClosedAsync(level, $"malformed-utf8-{level}", RawPackets.Publish(0x30, [(byte)'b', 0xC3, 0x28, (byte)'d'], "x", level), MalformedPacket);

    [Theory]
    [InlineData(RawPackets.V311)]
    [InlineData(RawPackets.V5)]
    public async Task Topic_containing_the_null_character_closes_the_connection_as_malformed(byte level) =>
        await AssertClosedAsync(level, $"malformed-nul-{level}", RawPackets.Publish(0x30, [(byte)'a', 0x00, (byte)'b'], "x", level), MalformedPacket);

    [Fact]
    public async Task Topic_alias_above_the_maximum_closes_the_connection_with_topic_alias_invalid()
    {
        // PUBLISH QoS 0, topic "a", properties: Topic Alias (0x23) = 65, one above the broker's 64.
        byte[] publish = [0x30, 0x08, 0x00, 0x01, (byte)'a', 0x03, 0x23, 0x00, 0x41, (byte)'x'];

        await AssertClosedAsync(RawPackets.V5, "malformed-alias", publish, 0x94);
    }

    [Theory]
    [InlineData(RawPackets.V311)]
    [InlineData(RawPackets.V5)]
    public async Task Second_connect_closes_the_connection_as_a_protocol_error(byte level) =>
        await AssertClosedAsync(level, $"malformed-reconnect-{level}", RawPackets.Connect($"malformed-reconnect-{level}", level), ProtocolError);

    [Theory]
    [InlineData(RawPackets.V311)]
    [InlineData(RawPackets.V5)]
    public async Task Connect_with_the_reserved_flag_set_is_refused_and_closed(byte level)
    {
        using var bystander = await Bystander.ConnectAsync(broker, $"malformed-connflag-bystander-{level}");
        using var raw = await RawClient.OpenAsync(broker);
        var connect = RawPackets.Connect($"malformed-connflag-{level}", level);
        connect[2 + 6 + 1] |= 0x01; // connect flags follow the fixed header (2 bytes), "MQTT" (6) and the level (1)

        await raw.SendAsync(connect);
        var packets = await raw.ReadUntilClosedAsync("connection after CONNECT with reserved flag 1");

        if (level == RawPackets.V5)
        {
            // MQTT 5, 4.13.1: the CONNECT names its version before the flags, so the client is told: CONNACK 0x81.
            var connAck = Assert.Single(packets);
            Assert.Equal((RawPacket.ConnAck, MalformedPacket), (connAck.Type, connAck.ReasonCode));
        }
        else
        {
            Assert.Empty(packets);
        }
        await bystander.ProveServedAsync("after a CONNECT with the reserved flag");
    }

    [Fact]
    public async Task First_packet_other_than_connect_closes_the_connection_without_a_reply()
    {
        using var bystander = await Bystander.ConnectAsync(broker, "malformed-first-bystander");
        using var raw = await RawClient.OpenAsync(broker);

        await raw.SendAsync(RawPackets.Publish("bad/first", "before-connect", RawPackets.V5));
        var packets = await raw.ReadUntilClosedAsync("connection whose first packet is PUBLISH");

        Assert.Empty(packets);
        await bystander.ProveServedAsync("after a connection that skipped CONNECT");
    }

    [Fact]
    public async Task Publish_with_a_wildcard_in_the_topic_closes_the_connection()
    {
        using var bystander = await Bystander.ConnectAsync(broker, "malformed-wild-bystander");
        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync("malformed-wild", RawPackets.V5);

        await raw.SendAsync(RawPackets.Publish("bad/+/wild", "x", RawPackets.V5));
        var packets = await raw.ReadUntilClosedAsync("connection after PUBLISH to a topic with '+'");

        var disconnect = Assert.Single(packets);
        Assert.Equal(RawPacket.Disconnect, disconnect.Type);
        Assert.True(disconnect.ReasonCode is 0x81 or 0x82 or 0x90, $"DISCONNECT reason 0x{disconnect.ReasonCode:x2}; expected malformed, protocol error or topic name invalid");
        await bystander.ProveServedAsync("after a PUBLISH with a wildcard topic");
    }

    private async Task AssertClosedAsync(byte level, string clientId, byte[] bad, byte v5Reason)
    {
        using var bystander = await Bystander.ConnectAsync(broker, $"{clientId}-bystander");
        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync(clientId, level);

        await raw.SendAsync(bad);
        var packets = await raw.ReadUntilClosedAsync($"{clientId} after sending [{Convert.ToHexString(bad.AsSpan(0, Math.Min(bad.Length, 16)))}]");

        if (level == RawPackets.V5)
        {
            var disconnect = Assert.Single(packets);
            Assert.Equal((RawPacket.Disconnect, v5Reason), (disconnect.Type, disconnect.ReasonCode));
        }
        else
        {
            Assert.Empty(packets);
        }

        await bystander.ProveServedAsync($"after {clientId} was closed");
    }
}
