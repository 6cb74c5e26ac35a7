using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.SubPub;

public sealed class SubscribeTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Theory]
    [InlineData(MqttProtocolVersion.V311, MqttClientSubscribeResultCode.UnspecifiedError)]
    [InlineData(MqttProtocolVersion.V500, MqttClientSubscribeResultCode.TopicFilterInvalid)]
    public async Task Invalid_topic_filter_is_refused_in_suback(MqttProtocolVersion version, MqttClientSubscribeResultCode expected)
    {
        using var client = await Mqtt.ConnectAsync(broker, $"subscribe-invalid-{version}", version);

        var subAck = await client.SubscribeAsync("sub/bad+filter", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal(expected, subAck.Items.Single().ResultCode);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Suback_grants_the_requested_qos()
    {
        using var client = await Mqtt.ConnectAsync(broker, "subscribe-grants");

        var subAck = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("sub/q0", MqttQualityOfServiceLevel.AtMostOnce)
            .WithTopicFilter("sub/q1", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("sub/q2", MqttQualityOfServiceLevel.ExactlyOnce)
            .Build());

        Assert.Equal(
            [MqttClientSubscribeResultCode.GrantedQoS0, MqttClientSubscribeResultCode.GrantedQoS1, MqttClientSubscribeResultCode.GrantedQoS2],
            subAck.Items.Select(i => i.ResultCode));
    }

    [Fact]
    public async Task No_local_on_a_shared_subscription_closes_with_protocol_error()
    {
        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync("subscribe-shared-nolocal", RawPackets.V5);

        await raw.SendAsync(RawPackets.Subscribe(1, "$share/g/sub/nolocal", RawPackets.V5, qos: 0x01 | 0x04));
        var packets = await raw.ReadUntilClosedAsync("connection after SUBSCRIBE $share with No Local");

        var disconnect = Assert.Single(packets);
        Assert.Equal((RawPacket.Disconnect, (byte)0x82), (disconnect.Type, disconnect.ReasonCode));
    }
}
