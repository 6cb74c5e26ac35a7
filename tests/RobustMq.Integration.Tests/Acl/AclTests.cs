using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Acl;

public sealed class AclTests(AclBrokerFixture broker) : IClassFixture<AclBrokerFixture>
{
    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Denied_subscribe_gets_suback_0x80(MqttProtocolVersion version)
    {
        using var client = await Mqtt.ConnectAsync(broker, $"acl-nosub-{version}", version);

        var subAck = await client.SubscribeAsync("acl/nosub", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal(MqttClientSubscribeResultCode.UnspecifiedError, subAck.Items.Single().ResultCode);
    }

    [Fact]
    public async Task Denied_subscribe_without_a_reason_gets_not_authorized_on_v5()
    {
        using var client = await Mqtt.ConnectAsync(broker, "acl-nosub87");

        var subAck = await client.SubscribeAsync("acl/nosub87", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, subAck.Items.Single().ResultCode);
    }

    [Fact]
    public async Task Denied_qos1_publish_gets_puback_not_authorized_on_v5_and_is_not_delivered()
    {
        using var subscriber = await Mqtt.ConnectAsync(broker, "acl-nopub-sub");
        var received = new MessageCollector(subscriber);
        await subscriber.SubscribeAsync("acl/nopub", MqttQualityOfServiceLevel.AtLeastOnce);
        await subscriber.SubscribeAsync("acl/allowed", MqttQualityOfServiceLevel.AtLeastOnce);
        using var publisher = await Mqtt.ConnectAsync(broker, "acl-nopub-pub");

        var denied = await publisher.PublishAsync(Mqtt.Message("acl/nopub", "blocked", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await publisher.PublishAsync(Mqtt.Message("acl/allowed", "marker", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, denied.ReasonCode);
        var seen = await received.UntilTopicAsync("acl/allowed", "subscriber waits for the allowed marker");
        Assert.DoesNotContain(seen, m => m.Topic == "acl/nopub");
    }

    [Fact]
    public async Task Denied_qos1_publish_on_v311_is_acknowledged_and_not_delivered()
    {
        using var subscriber = await Mqtt.ConnectAsync(broker, "acl-nopub311-sub");
        var received = new MessageCollector(subscriber);
        await subscriber.SubscribeAsync("acl/nopub", MqttQualityOfServiceLevel.AtLeastOnce);
        await subscriber.SubscribeAsync("acl/allowed311", MqttQualityOfServiceLevel.AtLeastOnce);
        using var publisher = await Mqtt.ConnectAsync(broker, "acl-nopub311-pub", MqttProtocolVersion.V311);

        await publisher.PublishAsync(Mqtt.Message("acl/nopub", "blocked", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await publisher.PublishAsync(Mqtt.Message("acl/allowed311", "marker", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        Assert.True(publisher.IsConnected);
        var seen = await received.UntilTopicAsync("acl/allowed311", "subscriber waits for the allowed marker");
        Assert.DoesNotContain(seen, m => m.Topic == "acl/nopub");
    }
}
