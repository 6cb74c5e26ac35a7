using MQTTnet;
using MQTTnet.Formatter;

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
}
