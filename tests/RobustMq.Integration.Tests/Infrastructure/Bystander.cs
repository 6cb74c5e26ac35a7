using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>
/// A well-behaved client connected before something bad happens on another connection; it proves the broker
/// still serves it by publishing to itself and receiving the message.
/// </summary>
public sealed class Bystander : IDisposable
{
    private readonly IMqttClient _client;
    private readonly MessageCollector _received;
    private readonly string _topic;
    private int _round;

    private Bystander(IMqttClient client, MessageCollector received, string topic)
    {
        _client = client;
        _received = received;
        _topic = topic;
    }

    public static async Task<Bystander> ConnectAsync(BrokerFixture broker, string clientId)
    {
        var client = Mqtt.NewClient();
        var received = new MessageCollector(client);
        await client.ConnectAsync(Mqtt.Options(broker, clientId).Build());
        var topic = $"bystander/{clientId}";
        await client.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        return new Bystander(client, received, topic);
    }

    public async Task ProveServedAsync(string phase)
    {
        var payload = $"alive-{++_round}";
        Assert.True(_client.IsConnected, $"{phase}: the bystander was disconnected");
        await _client.PublishStringAsync(_topic, payload, MqttQualityOfServiceLevel.AtLeastOnce);
        var message = await _received.NextAsync($"{phase}: the bystander waits for its own message");
        Assert.Equal(payload, Encoding.UTF8.GetString(message.Payload));
    }

    public void Dispose() => _client.Dispose();
}
