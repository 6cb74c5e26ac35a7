using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.SubPub;

public sealed class DeliveryTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Theory]
    [InlineData(MqttQualityOfServiceLevel.AtMostOnce)]
    [InlineData(MqttQualityOfServiceLevel.AtLeastOnce)]
    public async Task Qos2_publish_is_delivered_at_the_granted_qos_of_the_subscription(MqttQualityOfServiceLevel granted)
    {
        var topic = $"delivery/downgrade/{(int)granted}";
        using var subscriber = await Mqtt.ConnectAsync(broker, $"downgrade-sub-{(int)granted}");
        var received = new MessageCollector(subscriber);
        var subAck = await subscriber.SubscribeAsync(topic, granted);
        Assert.Equal((MqttClientSubscribeResultCode)(int)granted, subAck.Items.Single().ResultCode);
        using var publisher = await Mqtt.ConnectAsync(broker, $"downgrade-pub-{(int)granted}");

        await publisher.PublishAsync(Mqtt.Message(topic, "down", MqttQualityOfServiceLevel.ExactlyOnce).Build());

        var message = await received.NextAsync("subscriber waits for the downgraded message");
        Assert.Equal(granted, message.QualityOfServiceLevel);
        Assert.Equal("down", message.ConvertPayloadToString());
    }

    [Fact]
    public async Task Overlapping_subscriptions_deliver_one_copy_at_the_highest_qos_with_both_subscription_identifiers()
    {
        using var subscriber = await Mqtt.ConnectAsync(broker, "overlap-sub");
        var received = new MessageCollector(subscriber);
        await Mqtt.SubscribeAsync(subscriber, f => f.WithTopic("delivery/overlap/+").WithAtMostOnceQoS(), subscriptionId: 11);
        await Mqtt.SubscribeAsync(subscriber, f => f.WithTopic("delivery/overlap/#").WithExactlyOnceQoS(), subscriptionId: 22);
        using var publisher = await Mqtt.ConnectAsync(broker, "overlap-pub");

        await publisher.PublishAsync(Mqtt.Message("delivery/overlap/x", "once", MqttQualityOfServiceLevel.ExactlyOnce).Build());

        var message = await received.NextAsync("subscriber waits for the overlapping message");
        Assert.Equal(MqttQualityOfServiceLevel.ExactlyOnce, message.QualityOfServiceLevel);
        Assert.Equal(new uint[] { 11, 22 }, message.SubscriptionIdentifiers.Order().ToArray());
        var extra = await received.NoneWithinAsync(TimeSpan.FromMilliseconds(500));
        Assert.True(extra is null, $"a second copy arrived: {extra?.Topic} qos {extra?.QualityOfServiceLevel}");
    }

    [Fact]
    public async Task No_local_subscription_does_not_receive_the_clients_own_messages()
    {
        using var client = await Mqtt.ConnectAsync(broker, "nolocal-self");
        var received = new MessageCollector(client);
        await Mqtt.SubscribeAsync(client, f => f.WithTopic("delivery/nolocal").WithAtLeastOnceQoS().WithNoLocal());
        using var other = await Mqtt.ConnectAsync(broker, "nolocal-other");

        await client.PublishAsync(Mqtt.Message("delivery/nolocal", "own", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await other.PublishAsync(Mqtt.Message("delivery/nolocal", "other", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var message = await received.NextAsync("no-local subscriber waits for the other client's message");
        Assert.Equal("other", message.ConvertPayloadToString());
    }

    [Fact]
    public async Task Topics_starting_with_dollar_are_not_matched_by_a_hash_subscription()
    {
        using var everything = await Mqtt.ConnectAsync(broker, "dollar-hash");
        var all = new MessageCollector(everything);
        await everything.SubscribeAsync("#", MqttQualityOfServiceLevel.AtMostOnce);
        using var sys = await Mqtt.ConnectAsync(broker, "dollar-sys");
        var sysMessages = new MessageCollector(sys);
        await sys.SubscribeAsync("$SYS/#", MqttQualityOfServiceLevel.AtMostOnce);
        using var publisher = await Mqtt.ConnectAsync(broker, "dollar-pub");

        // A live (not retained-on-subscribe) $SYS message proves $SYS was published after the '#' subscription.
        while ((await sysMessages.NextAsync("$SYS subscriber waits for a live $SYS message")).Retain)
        {
        }

        await publisher.PublishAsync(Mqtt.Message("$custom/dollar", "hidden", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await publisher.PublishAsync(Mqtt.Message("delivery/dollar/marker", "visible", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var seen = await all.UntilTopicAsync("delivery/dollar/marker", "'#' subscriber waits for the marker");
        Assert.DoesNotContain(seen, m => m.Topic.StartsWith('$'));
    }

    [Fact]
    public async Task Qos1_publish_without_subscribers_is_acknowledged_with_no_matching_subscribers_on_v5()
    {
        using var publisher = await Mqtt.ConnectAsync(broker, "nomatch-pub");

        var result = await publisher.PublishAsync(Mqtt.Message("delivery/nobody/listens", "void", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, result.ReasonCode);
    }

    [Fact]
    public async Task Topic_alias_set_by_the_client_is_resolved_on_later_publishes()
    {
        using var subscriber = await Mqtt.ConnectAsync(broker, "alias-sub");
        var received = new MessageCollector(subscriber);
        await subscriber.SubscribeAsync("delivery/alias/#", MqttQualityOfServiceLevel.AtLeastOnce);
        using var publisher = await Mqtt.ConnectAsync(broker, "alias-pub");

        await publisher.PublishAsync(Mqtt.Message("delivery/alias/long/topic/name", "first", MqttQualityOfServiceLevel.AtLeastOnce).WithTopicAlias(1).Build());
        await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("").WithTopicAlias(1).WithPayload("second")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var first = await received.NextAsync("subscriber waits for the message that set the alias");
        var second = await received.NextAsync("subscriber waits for the message sent with the alias only");
        Assert.Equal(("delivery/alias/long/topic/name", "first"), (first.Topic, first.ConvertPayloadToString()));
        Assert.Equal(("delivery/alias/long/topic/name", "second"), (second.Topic, second.ConvertPayloadToString()));
    }

    [Fact]
    public async Task Messages_from_one_publisher_arrive_in_publish_order()
    {
        using var subscriber = await Mqtt.ConnectAsync(broker, "order-sub");
        var received = new MessageCollector(subscriber);
        await subscriber.SubscribeAsync("delivery/order", MqttQualityOfServiceLevel.AtLeastOnce);
        using var publisher = await Mqtt.ConnectAsync(broker, "order-pub");

        var sends = new List<Task<MqttClientPublishResult>>();
        for (var i = 0; i < 100; i++)
        {
            sends.Add(publisher.PublishAsync(Mqtt.Message("delivery/order", $"{i}", MqttQualityOfServiceLevel.AtLeastOnce).Build()));
        }

        await Task.WhenAll(sends).WithTimeout("publisher waits for 100 PUBACKs");
        var payloads = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            payloads.Add((await received.NextAsync($"subscriber waits for message {i}")).ConvertPayloadToString());
        }

        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"{i}"), payloads);
    }

    [Fact]
    public async Task Qos2_publish_resent_before_pubrel_is_delivered_once()
    {
        using var subscriber = await Mqtt.ConnectAsync(broker, "qos2-once-sub");
        var received = new MessageCollector(subscriber);
        await subscriber.SubscribeAsync("delivery/qos2once", MqttQualityOfServiceLevel.ExactlyOnce);
        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync("qos2-once-pub", RawPackets.V5);

        await raw.SendAsync(RawPackets.Publish("delivery/qos2once", "exactly", RawPackets.V5, qos: 2, packetId: 7));
        await raw.ExpectAsync(RawPacket.PubRec, "publisher waits for PUBREC");
        var resend = RawPackets.Publish("delivery/qos2once", "exactly", RawPackets.V5, qos: 2, packetId: 7);
        resend[0] |= 0x08; // DUP
        await raw.SendAsync(resend);
        await raw.ExpectAsync(RawPacket.PubRec, "publisher waits for PUBREC of the resend");
        await raw.SendAsync(RawPackets.PubRel(7));
        await raw.ExpectAsync(RawPacket.PubComp, "publisher waits for PUBCOMP");
        await raw.SendAsync(RawPackets.Publish("delivery/qos2once", "marker", RawPackets.V5));

        var first = await received.NextAsync("subscriber waits for the QoS 2 message");
        var second = await received.NextAsync("subscriber waits for the marker");
        Assert.Equal(("exactly", "marker"), (first.ConvertPayloadToString(), second.ConvertPayloadToString()));
    }
}
