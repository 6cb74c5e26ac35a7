using System.Text;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.SubPub;

public sealed class MessagePropertiesTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Application_message_properties_are_forwarded_untouched()
    {
        using var subscriber = await Mqtt.ConnectAsync(broker, "props-sub");
        var received = new MessageCollector(subscriber);
        await subscriber.SubscribeAsync("props/all", MqttQualityOfServiceLevel.AtLeastOnce);
        using var publisher = await Mqtt.ConnectAsync(broker, "props-pub");
        byte[] correlation = [0x00, 0x01, 0xFE, 0xFF];

        await publisher.PublishAsync(Mqtt.Message("props/all", "{\"a\":1}", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithContentType("application/json")
            .WithPayloadFormatIndicator(MqttPayloadFormatIndicator.CharacterData)
            .WithResponseTopic("props/reply")
            .WithCorrelationData(correlation)
            .WithUserProperty("k", "v1"u8.ToArray())
            .WithUserProperty("k", "v2"u8.ToArray())
            .WithUserProperty("other", "x y"u8.ToArray())
            .Build());

        var message = await received.NextAsync("subscriber waits for the message with properties");
        Assert.Equal("application/json", message.ContentType);
        Assert.Equal(MqttPayloadFormatIndicator.CharacterData, message.PayloadFormatIndicator);
        Assert.Equal("props/reply", message.ResponseTopic);
        Assert.Equal(correlation, message.CorrelationData);
        Assert.Equal(
            [("k", "v1"), ("k", "v2"), ("other", "x y")],
            message.UserProperties.Select(p => (p.Name, p.ReadValueAsString())).ToArray());
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(message.Payload));
    }

    [Fact]
    public async Task Message_without_properties_arrives_without_properties()
    {
        using var subscriber = await Mqtt.ConnectAsync(broker, "noprops-sub");
        var received = new MessageCollector(subscriber);
        await subscriber.SubscribeAsync("props/none", MqttQualityOfServiceLevel.AtLeastOnce);
        using var publisher = await Mqtt.ConnectAsync(broker, "noprops-pub");

        await publisher.PublishAsync(Mqtt.Message("props/none", "plain", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var message = await received.NextAsync("subscriber waits for the plain message");
        Assert.Null(message.ContentType);
        Assert.Null(message.ResponseTopic);
        Assert.Null(message.CorrelationData);
        Assert.True(message.UserProperties is null || message.UserProperties.Count == 0);
        Assert.Equal(0u, message.MessageExpiryInterval);
    }
}
