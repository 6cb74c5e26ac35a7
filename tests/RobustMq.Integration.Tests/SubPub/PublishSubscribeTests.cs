using System.Text;
using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.SubPub;

public sealed class PublishSubscribeTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Theory]
    [InlineData(MqttQualityOfServiceLevel.AtMostOnce)]
    [InlineData(MqttQualityOfServiceLevel.AtLeastOnce)]
    [InlineData(MqttQualityOfServiceLevel.ExactlyOnce)]
    public async Task Message_published_at_each_qos_reaches_a_wildcard_subscriber(MqttQualityOfServiceLevel qos)
    {
        using var subscriber = await Mqtt.ConnectAsync(broker, $"sub-qos{(int)qos}");
        var received = new MessageCollector(subscriber);
        await subscriber.SubscribeAsync($"pubsub/{(int)qos}/+", qos);
        using var publisher = await Mqtt.ConnectAsync(broker, $"pub-qos{(int)qos}");

        await publisher.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic($"pubsub/{(int)qos}/x").WithPayload("hello").WithQualityOfServiceLevel(qos).Build());

        var message = await received.NextAsync("subscriber waits for the publish");
        Assert.Equal($"pubsub/{(int)qos}/x", message.Topic);
        Assert.Equal("hello", Encoding.UTF8.GetString(message.Payload));
        Assert.Equal(qos, message.QualityOfServiceLevel);
    }
}
