using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Shared;

public sealed class SharedSubscriptionTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    private const int Count = 10;

    [Fact]
    public async Task Round_robin_group_splits_the_messages_between_its_members_without_duplicates()
    {
        using var memberA = await Mqtt.ConnectAsync(broker, "shared-rr-a");
        using var memberB = await Mqtt.ConnectAsync(broker, "shared-rr-b");
        var received = new MessageCollector(memberA, memberB);
        await memberA.SubscribeAsync("$share/g/shared/rr", MqttQualityOfServiceLevel.AtLeastOnce);
        await memberB.SubscribeAsync("$share/g/shared/rr", MqttQualityOfServiceLevel.AtLeastOnce);

        await PublishNumberedAsync("shared-rr-pub", "shared/rr");

        var receipts = new List<Receipt>();
        for (var i = 0; i < Count; i++)
        {
            receipts.Add(await received.NextReceiptAsync($"group waits for message {i + 1} of {Count}"));
        }

        var extra = await received.NoneWithinAsync(TimeSpan.FromMilliseconds(500));
        Assert.True(extra is null, $"the group got more than {Count} messages: {extra?.ConvertPayloadToString()}");
        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"m{i}"), receipts.Select(r => r.Message.ConvertPayloadToString()).Order(StringComparer.Ordinal));
        Assert.Contains(receipts, r => r.ClientId == "shared-rr-a");
        Assert.Contains(receipts, r => r.ClientId == "shared-rr-b");
    }

    [Fact]
    public async Task Non_shared_subscriber_on_the_same_topic_gets_every_message()
    {
        using var member = await Mqtt.ConnectAsync(broker, "shared-all-member");
        await member.SubscribeAsync("$share/g2/shared/all", MqttQualityOfServiceLevel.AtLeastOnce);
        using var plain = await Mqtt.ConnectAsync(broker, "shared-all-plain");
        var received = new MessageCollector(plain);
        await plain.SubscribeAsync("shared/all", MqttQualityOfServiceLevel.AtLeastOnce);

        await PublishNumberedAsync("shared-all-pub", "shared/all");

        var payloads = new List<string>();
        for (var i = 0; i < Count; i++)
        {
            payloads.Add((await received.NextAsync($"plain subscriber waits for message {i + 1} of {Count}")).ConvertPayloadToString());
        }

        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"m{i}"), payloads);
    }

    [Fact]
    public async Task Shared_subscription_does_not_receive_retained_messages_on_subscribe()
    {
        using var publisher = await Mqtt.ConnectAsync(broker, "shared-retain-pub");
        await publisher.PublishAsync(Mqtt.Message("shared/retained", "stored", MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build());
        using var member = await Mqtt.ConnectAsync(broker, "shared-retain-member");
        var received = new MessageCollector(member);

        await member.SubscribeAsync("$share/g3/shared/retained", MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync(Mqtt.Message("shared/retained", "live", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var message = await received.NextAsync("shared member waits for the live message");
        Assert.Equal("live", message.ConvertPayloadToString());
    }

    private async Task PublishNumberedAsync(string clientId, string topic)
    {
        using var publisher = await Mqtt.ConnectAsync(broker, clientId);
        for (var i = 0; i < Count; i++)
        {
            await publisher.PublishAsync(Mqtt.Message(topic, $"m{i}", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        }
    }
}
