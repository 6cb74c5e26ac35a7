using System.Diagnostics;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Limits;

public sealed class LimitsTests(LimitsBrokerFixture broker) : IClassFixture<LimitsBrokerFixture>
{
    [Fact]
    public async Task Connack_v5_announces_maximum_packet_size_and_maximum_qos()
    {
        using var client = Mqtt.NewClient();

        var result = await client.ConnectAsync(Mqtt.Options(broker, "limits-connack").Build());

        Assert.Equal((uint)LimitsBrokerFixture.MaxPacketSize, result.MaximumPacketSize);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, result.MaximumQoS);
    }

    [Fact]
    public async Task Packet_larger_than_the_maximum_packet_size_closes_with_packet_too_large_on_v5()
    {
        using var bystander = await Bystander.ConnectAsync(broker, "limits-size-bystander");
        using var client = Mqtt.NewClient();
        var closed = new DisconnectWatcher(client);
        await client.ConnectAsync(Mqtt.Options(broker, "limits-size").Build());

        await Assert.ThrowsAnyAsync<Exception>(() => client.PublishAsync(Mqtt.Message("limits/size", new string('x', 2000), MqttQualityOfServiceLevel.AtLeastOnce).Build()));

        var disconnected = await closed.WaitAsync("client after sending a 2000-byte PUBLISH");
        Assert.Equal(MqttClientDisconnectReason.PacketTooLarge, disconnected.Reason);
        await bystander.ProveServedAsync("after the oversized packet");
    }

    [Fact]
    public async Task Packet_larger_than_the_maximum_packet_size_closes_a_v311_connection()
    {
        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync("limits-size-311", RawPackets.V311);

        await raw.SendAsync(RawPackets.Publish("limits/size311", new string('x', 2000), RawPackets.V311));

        var packets = await raw.ReadUntilClosedAsync("v3.1.1 connection after a 2000-byte PUBLISH");
        Assert.Empty(packets);
    }

    [Fact]
    public async Task Packet_within_the_maximum_packet_size_is_accepted()
    {
        using var client = await Mqtt.ConnectAsync(broker, "limits-small");
        var received = new MessageCollector(client);
        await client.SubscribeAsync("limits/small", MqttQualityOfServiceLevel.AtLeastOnce);

        await client.PublishAsync(Mqtt.Message("limits/small", new string('y', 900), MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var message = await received.NextAsync("client waits for its 900-byte message");
        Assert.Equal(900, message.Payload.Length);
    }

    [Fact]
    public async Task Publish_with_qos2_above_maximum_qos_closes_with_qos_not_supported()
    {
        using var client = Mqtt.NewClient();
        var closed = new DisconnectWatcher(client);
        await client.ConnectAsync(Mqtt.Options(broker, "limits-qos2").Build());

        await Assert.ThrowsAnyAsync<Exception>(() => client.PublishAsync(Mqtt.Message("limits/qos2", "too-high", MqttQualityOfServiceLevel.ExactlyOnce).Build()));

        var disconnected = await closed.WaitAsync("client after a QoS 2 PUBLISH");
        Assert.Equal(MqttClientDisconnectReason.QosNotSupported, disconnected.Reason);
    }

    [Fact]
    public async Task Subscribe_with_qos2_is_granted_the_maximum_qos()
    {
        using var client = await Mqtt.ConnectAsync(broker, "limits-subqos");

        var subAck = await client.SubscribeAsync("limits/subqos", MqttQualityOfServiceLevel.ExactlyOnce);

        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, subAck.Items.Single().ResultCode);
    }

    [Fact]
    public async Task Silent_connection_is_closed_after_one_and_a_half_keep_alive_periods()
    {
        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync("limits-keepalive", RawPackets.V311, keepAlive: 1);
        var clock = Stopwatch.StartNew();

        var packets = await raw.ReadUntilClosedAsync("silent v3.1.1 connection with keep-alive 1", TimeSpan.FromSeconds(3));

        Assert.Empty(packets);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), $"closed after {clock.Elapsed.TotalSeconds:F2} s, before the keep-alive ran out");
    }

    [Fact]
    public async Task Silent_v5_connection_gets_disconnect_keep_alive_timeout()
    {
        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync("limits-keepalive-v5", RawPackets.V5, keepAlive: 1);

        var packets = await raw.ReadUntilClosedAsync("silent v5 connection with keep-alive 1", TimeSpan.FromSeconds(3));

        var disconnect = Assert.Single(packets);
        Assert.Equal((RawPacket.Disconnect, (byte)0x8D), (disconnect.Type, disconnect.ReasonCode));
    }

    [Fact]
    public async Task Connection_that_sends_no_connect_is_closed_after_the_connect_timeout()
    {
        using var raw = await RawClient.OpenAsync(broker);

        var packets = await raw.ReadUntilClosedAsync("connection that never sends CONNECT", TimeSpan.FromSeconds(4));

        Assert.Empty(packets);
    }

    [Fact]
    public async Task A_CONNECT_sent_one_byte_at_a_time_is_cut_off_at_the_connect_timeout()
    {
        using var raw = await RawClient.OpenAsync(broker);
        var connect = RawPackets.Connect("limits-slowloris");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var sent = 0;
        try
        {
            // A byte every 200 ms: the CONNECT (some 30 bytes) would take 6 s, against a connect timeout of 1 s.
            for (; sent < connect.Length; sent++)
            {
                await raw.SendAsync([connect[sent]]);
                await Task.Delay(200);
            }
        }
        catch (IOException)
        {
            // The broker closed the socket under the sender.
        }

        var packets = await raw.ReadUntilClosedAsync("slowloris CONNECT", TimeSpan.FromSeconds(4));

        Assert.Empty(packets);
        Assert.True(sent < connect.Length, $"the whole CONNECT went out ({sent} bytes in {clock.Elapsed.TotalSeconds:F1} s) before the broker closed");
    }

    [Fact]
    public async Task Client_sending_pings_within_the_keep_alive_stays_connected()
    {
        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync("limits-ping", RawPackets.V311, keepAlive: 1);

        // A PINGREQ every half period for 2.5 s: well past 1.5 keep-alive periods, and every one answered.
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            await raw.SendAsync(RawPackets.PingReq);
            await raw.ExpectAsync(13, $"pinging client waits for PINGRESP {i + 1} of 5 (keep-alive 1 s)");
        }
    }
}
