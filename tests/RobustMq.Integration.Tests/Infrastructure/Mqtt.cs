using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>MQTTnet clients connected to the fixture's broker.</summary>
public static class Mqtt
{
    private static readonly MqttClientFactory Factory = new();

    public static IMqttClient NewClient() => Factory.CreateMqttClient();

    public static MqttClientOptionsBuilder Options(BrokerFixture broker, string clientId, MqttProtocolVersion version = MqttProtocolVersion.V500) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", broker.MqttPort)
            .WithClientId(clientId)
            .WithProtocolVersion(version)
            .WithTimeout(TimeSpan.FromSeconds(10));

    public static async Task<IMqttClient> ConnectAsync(BrokerFixture broker, string clientId, MqttProtocolVersion version = MqttProtocolVersion.V500, Action<MqttClientOptionsBuilder>? configure = null)
    {
        var client = NewClient();
        var options = Options(broker, clientId, version);
        configure?.Invoke(options);
        await client.ConnectAsync(options.Build());
        return client;
    }

    /// <summary>An MQTT 5 client connected to the broker executable's TCP listener.</summary>
    public static async Task<IMqttClient> ConnectAsync(BrokerExecutable broker, string clientId)
    {
        var client = NewClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.MqttPort).WithClientId(clientId).WithTimeout(TimeSpan.FromSeconds(10)).Build());
        return client;
    }

    /// <summary>A message builder with topic, text payload and QoS set; chain more before <c>Build()</c>.</summary>
    public static MqttApplicationMessageBuilder Message(string topic, string payload, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtMostOnce) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos);

    /// <summary>Subscribes to one filter with the options set by <paramref name="filter"/> and an optional subscription identifier.</summary>
    public static Task<MqttClientSubscribeResult> SubscribeAsync(IMqttClient client, Action<MqttTopicFilterBuilder> filter, uint subscriptionId = 0)
    {
        var options = new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter);
        if (subscriptionId != 0)
        {
            options.WithSubscriptionIdentifier(subscriptionId);
        }

        return client.SubscribeAsync(options.Build());
    }
}
