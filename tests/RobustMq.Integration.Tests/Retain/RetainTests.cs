using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Retain;

public sealed class RetainTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Retained_message_is_sent_to_a_new_subscriber_with_the_retain_flag()
    {
        using var publisher = await Mqtt.ConnectAsync(broker, "retain-set-pub");
        await publisher.PublishAsync(Mqtt.Message("retain/set", "kept", MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build());
        using var subscriber = await Mqtt.ConnectAsync(broker, "retain-set-sub");
        var received = new MessageCollector(subscriber);

        await subscriber.SubscribeAsync("retain/set", MqttQualityOfServiceLevel.AtLeastOnce);

        var message = await received.NextAsync("new subscriber waits for the retained message");
        Assert.Equal(("retain/set", "kept", true), (message.Topic, message.ConvertPayloadToString(), message.Retain));
    }

    [Fact]
    public async Task Retained_message_is_sent_at_the_lower_of_its_qos_and_the_subscription_qos()
    {
        using var publisher = await Mqtt.ConnectAsync(broker, "retain-qos-pub");
        await publisher.PublishAsync(Mqtt.Message("retain/qos", "q2", MqttQualityOfServiceLevel.ExactlyOnce).WithRetainFlag().Build());
        using var subscriber = await Mqtt.ConnectAsync(broker, "retain-qos-sub");
        var received = new MessageCollector(subscriber);

        await subscriber.SubscribeAsync("retain/qos", MqttQualityOfServiceLevel.AtLeastOnce);

        var message = await received.NextAsync("new subscriber waits for the retained message");
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, message.QualityOfServiceLevel);
    }

    [Fact]
    public async Task Retained_message_with_an_empty_payload_clears_the_retained_message()
    {
        using var publisher = await Mqtt.ConnectAsync(broker, "retain-clear-pub");
        await publisher.PublishAsync(Mqtt.Message("retain/clear/gone", "old", MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build());
        await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("retain/clear/gone")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build());
        await publisher.PublishAsync(Mqtt.Message("retain/clear/marker", "stays", MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build());
        using var subscriber = await Mqtt.ConnectAsync(broker, "retain-clear-sub");
        var received = new MessageCollector(subscriber);

        await subscriber.SubscribeAsync("retain/clear/#", MqttQualityOfServiceLevel.AtLeastOnce);

        var seen = await received.UntilTopicAsync("retain/clear/marker", "new subscriber waits for the remaining retained message");
        var late = await received.NoneWithinAsync(TimeSpan.FromMilliseconds(300));
        Assert.DoesNotContain(seen, m => m.Topic == "retain/clear/gone");
        Assert.True(late is null, $"unexpected retained message on {late?.Topic}");
    }

    [Fact]
    public async Task Retain_handling_1_sends_retained_messages_only_for_a_new_subscription()
    {
        using var publisher = await Mqtt.ConnectAsync(broker, "retain-rh1-pub");
        await publisher.PublishAsync(Mqtt.Message("retain/rh1", "stored", MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build());
        using var subscriber = await Mqtt.ConnectAsync(broker, "retain-rh1-sub");
        var received = new MessageCollector(subscriber);
        await Mqtt.SubscribeAsync(subscriber, f => f.WithTopic("retain/rh1").WithAtLeastOnceQoS().WithRetainHandling(MqttRetainHandling.SendAtSubscribeIfNewSubscriptionOnly));
        var first = await received.NextAsync("first subscription waits for the retained message");

        await Mqtt.SubscribeAsync(subscriber, f => f.WithTopic("retain/rh1").WithAtLeastOnceQoS().WithRetainHandling(MqttRetainHandling.SendAtSubscribeIfNewSubscriptionOnly));
        await publisher.PublishAsync(Mqtt.Message("retain/rh1", "live", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        Assert.Equal(("stored", true), (first.ConvertPayloadToString(), first.Retain));
        var next = await received.NextAsync("repeated subscription waits for the live message");
        Assert.Equal(("live", false), (next.ConvertPayloadToString(), next.Retain));
    }

    [Fact]
    public async Task Retain_handling_2_never_sends_retained_messages()
    {
        using var publisher = await Mqtt.ConnectAsync(broker, "retain-rh2-pub");
        await publisher.PublishAsync(Mqtt.Message("retain/rh2", "stored", MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build());
        using var subscriber = await Mqtt.ConnectAsync(broker, "retain-rh2-sub");
        var received = new MessageCollector(subscriber);

        await Mqtt.SubscribeAsync(subscriber, f => f.WithTopic("retain/rh2").WithAtLeastOnceQoS().WithRetainHandling(MqttRetainHandling.DoNotSendOnSubscribe));
        await publisher.PublishAsync(Mqtt.Message("retain/rh2", "live", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var message = await received.NextAsync("subscriber waits for the live message");
        Assert.Equal(("live", false), (message.ConvertPayloadToString(), message.Retain));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Live_retained_message_keeps_its_retain_flag_only_with_retain_as_published(bool retainAsPublished)
    {
        var topic = $"retain/rap/{retainAsPublished}";
        using var subscriber = await Mqtt.ConnectAsync(broker, $"retain-rap-sub-{retainAsPublished}");
        var received = new MessageCollector(subscriber);
        await Mqtt.SubscribeAsync(subscriber, f => f.WithTopic(topic).WithAtLeastOnceQoS().WithRetainAsPublished(retainAsPublished));
        using var publisher = await Mqtt.ConnectAsync(broker, $"retain-rap-pub-{retainAsPublished}");

        await publisher.PublishAsync(Mqtt.Message(topic, "flagged", MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build());

        var message = await received.NextAsync("existing subscriber waits for the retained publish");
        Assert.Equal(retainAsPublished, message.Retain);
    }

    [Fact]
    public async Task Retained_message_sent_on_subscribe_carries_the_subscription_identifier()
    {
        using var publisher = await Mqtt.ConnectAsync(broker, "retain-subid-pub");
        await publisher.PublishAsync(Mqtt.Message("retain/subid", "tagged", MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build());
        using var subscriber = await Mqtt.ConnectAsync(broker, "retain-subid-sub");
        var received = new MessageCollector(subscriber);

        await Mqtt.SubscribeAsync(subscriber, f => f.WithTopic("retain/subid").WithAtLeastOnceQoS(), subscriptionId: 42);

        var message = await received.NextAsync("new subscriber waits for the retained message");
        Assert.Equal([42u], message.SubscriptionIdentifiers);
    }

    [Fact]
    public async Task Expired_retained_message_is_not_sent_to_a_new_subscriber()
    {
        using var publisher = await Mqtt.ConnectAsync(broker, "retain-expiry-pub");
        await publisher.PublishAsync(Mqtt.Message("retain/expiry/short", "stale", MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().WithMessageExpiryInterval(1).Build());
        await publisher.PublishAsync(Mqtt.Message("retain/expiry/long", "fresh", MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().WithMessageExpiryInterval(60).Build());

        // Let the one-second expiry pass: this wait is the behaviour under test.
        await Task.Delay(TimeSpan.FromMilliseconds(1500));
        using var subscriber = await Mqtt.ConnectAsync(broker, "retain-expiry-sub");
        var received = new MessageCollector(subscriber);
        await subscriber.SubscribeAsync("retain/expiry/#", MqttQualityOfServiceLevel.AtLeastOnce);

        var message = await received.NextAsync("new subscriber waits for the unexpired retained message");
        var late = await received.NoneWithinAsync(TimeSpan.FromMilliseconds(300));
        Assert.Equal("fresh", message.ConvertPayloadToString());
        Assert.InRange(message.MessageExpiryInterval, 50u, 59u);
        Assert.True(late is null, $"the expired retained message was sent: {late?.ConvertPayloadToString()}");
    }
}
