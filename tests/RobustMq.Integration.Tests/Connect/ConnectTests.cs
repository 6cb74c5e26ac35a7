using MQTTnet;
using MQTTnet.Formatter;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Connect;

public sealed class ConnectTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Client_of_each_protocol_version_is_accepted(MqttProtocolVersion version)
    {
        using var client = Mqtt.NewClient();

        var result = await client.ConnectAsync(Mqtt.Options(broker, $"connect-{version}", version).Build());

        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        Assert.False(result.IsSessionPresent);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Empty_client_id_on_v5_gets_an_assigned_client_identifier()
    {
        using var client = Mqtt.NewClient();

        var result = await client.ConnectAsync(Mqtt.Options(broker, "").WithCleanStart(true).Build());

        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        Assert.False(string.IsNullOrEmpty(result.AssignedClientIdentifier), "CONNACK must carry an Assigned Client Identifier");
    }

    [Fact]
    public async Task Empty_client_id_with_clean_session_0_on_v311_is_rejected_with_identifier_rejected()
    {
        using var raw = await RawClient.OpenAsync(broker);

        await raw.SendAsync(RawPackets.Connect("", RawPackets.V311, cleanStart: false));
        var packets = await raw.ReadUntilClosedAsync("v3.1.1 CONNECT with empty id and clean session 0");

        var connAck = Assert.Single(packets);
        Assert.Equal(RawPacket.ConnAck, connAck.Type);
        Assert.Equal(new byte[] { 0x00, 0x02 }, connAck.Body);
    }

    [Fact]
    public async Task Connack_v5_announces_the_broker_limits_and_features()
    {
        using var client = Mqtt.NewClient();

        var result = await client.ConnectAsync(Mqtt.Options(broker, "connect-features").Build());

        Assert.Equal((ushort)128, result.ReceiveMaximum);
        Assert.Equal(1024u * 1024u, result.MaximumPacketSize);
        Assert.Equal((ushort)64, result.TopicAliasMaximum);
        Assert.True(result.SharedSubscriptionAvailable);
        Assert.True(result.WildcardSubscriptionAvailable);
        Assert.True(result.SubscriptionIdentifiersAvailable);
        Assert.True(result.RetainAvailable);
    }

    [Fact]
    public async Task Second_connection_with_the_same_client_id_closes_the_first_with_session_taken_over()
    {
        using var first = Mqtt.NewClient();
        var firstClosed = new DisconnectWatcher(first);
        await first.ConnectAsync(Mqtt.Options(broker, "connect-takeover").Build());

        using var second = await Mqtt.ConnectAsync(broker, "connect-takeover");

        var disconnected = await firstClosed.WaitAsync("first connection after the takeover");
        Assert.Equal(MqttClientDisconnectReason.SessionTakenOver, disconnected.Reason);
        Assert.True(second.IsConnected);
    }

    [Fact]
    public async Task Second_connection_with_the_same_client_id_on_v311_closes_the_first()
    {
        using var first = Mqtt.NewClient();
        var firstClosed = new DisconnectWatcher(first);
        await first.ConnectAsync(Mqtt.Options(broker, "connect-takeover-311", MqttProtocolVersion.V311).Build());

        using var second = await Mqtt.ConnectAsync(broker, "connect-takeover-311", MqttProtocolVersion.V311);

        await firstClosed.WaitAsync("first v3.1.1 connection after the takeover");
        Assert.True(second.IsConnected);
    }

    [Fact]
    public async Task Session_expiry_above_the_maximum_is_capped_and_announced_in_connack()
    {
        using var client = Mqtt.NewClient();

        var result = await client.ConnectAsync(Mqtt.Options(broker, "connect-expiry-cap").WithSessionExpiryInterval(100_000).Build());

        Assert.Equal(7200u, result.SessionExpiryInterval);
        await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithSessionExpiryInterval(0).Build());
    }

    [Fact]
    public async Task Requested_response_information_is_returned_in_connack()
    {
        using var client = Mqtt.NewClient();

        var result = await client.ConnectAsync(Mqtt.Options(broker, "connect-respinfo").WithRequestResponseInformation(true).Build());

        Assert.Equal("response/connect-respinfo", result.ResponseInformation);
    }

    [Fact]
    public async Task Connect_with_an_unknown_protocol_level_is_refused_and_closed()
    {
        using var raw = await RawClient.OpenAsync(broker);

        await raw.SendAsync(RawPackets.Connect("connect-level6", level: 6));
        var packets = await raw.ReadUntilClosedAsync("CONNECT with protocol level 6");

        var connAck = Assert.Single(packets);
        Assert.Equal(RawPacket.ConnAck, connAck.Type);
        Assert.True(connAck.ReasonCode is 0x01 or 0x84, $"CONNACK code 0x{connAck.ReasonCode:x2}; expected 0x01 (3.1.1) or 0x84 (5.0) unacceptable protocol version");
    }
}
