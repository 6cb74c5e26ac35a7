using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.SubPub;

public sealed class UnsubscribeTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Unsubscribe_stops_delivery_on_that_filter()
    {
        using var subscriber = await Mqtt.ConnectAsync(broker, "unsub-sub");
        var received = new MessageCollector(subscriber);
        await subscriber.SubscribeAsync("unsub/dropped", MqttQualityOfServiceLevel.AtLeastOnce);
        await subscriber.SubscribeAsync("unsub/kept", MqttQualityOfServiceLevel.AtLeastOnce);
        using var publisher = await Mqtt.ConnectAsync(broker, "unsub-pub");

        var unsubAck = await subscriber.UnsubscribeAsync("unsub/dropped");
        await publisher.PublishAsync(Mqtt.Message("unsub/dropped", "gone", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await publisher.PublishAsync(Mqtt.Message("unsub/kept", "marker", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        Assert.Equal(MqttClientUnsubscribeResultCode.Success, unsubAck.Items.Single().ResultCode);
        var seen = await received.UntilTopicAsync("unsub/kept", "subscriber waits for the marker on the kept filter");
        Assert.Single(seen);
    }

    [Fact]
    public async Task Unsubscribe_of_an_unknown_filter_is_answered_with_no_subscription_existed_on_v5()
    {
        using var client = await Mqtt.ConnectAsync(broker, "unsub-unknown");

        var unsubAck = await client.UnsubscribeAsync("unsub/never/subscribed");

        Assert.Equal(MqttClientUnsubscribeResultCode.NoSubscriptionExisted, unsubAck.Items.Single().ResultCode);
    }
}
