using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Transport;

public sealed class WebSocketTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task WebSocket_subscriber_receives_a_message_published_over_tcp()
    {
        using var wsClient = Mqtt.NewClient();
        var received = new MessageCollector(wsClient);
        await wsClient.ConnectAsync(WebSocketOptions("ws-sub"));
        await wsClient.SubscribeAsync("transport/ws/in", MqttQualityOfServiceLevel.AtLeastOnce);
        using var tcpClient = await Mqtt.ConnectAsync(broker, "ws-tcp-pub");

        await tcpClient.PublishAsync(Mqtt.Message("transport/ws/in", "over-tcp", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var message = await received.NextAsync("WebSocket subscriber waits for the TCP publish");
        Assert.Equal("over-tcp", message.ConvertPayloadToString());
    }

    [Fact]
    public async Task Tcp_subscriber_receives_a_message_published_over_websocket()
    {
        using var tcpClient = await Mqtt.ConnectAsync(broker, "ws-tcp-sub");
        var received = new MessageCollector(tcpClient);
        await tcpClient.SubscribeAsync("transport/ws/out", MqttQualityOfServiceLevel.ExactlyOnce);
        using var wsClient = Mqtt.NewClient();
        await wsClient.ConnectAsync(WebSocketOptions("ws-pub"));

        var result = await wsClient.PublishAsync(Mqtt.Message("transport/ws/out", "over-ws", MqttQualityOfServiceLevel.ExactlyOnce).Build());

        Assert.True(result.IsSuccess, $"PUBREC/PUBCOMP over WebSocket: {result.ReasonCode}");
        var message = await received.NextAsync("TCP subscriber waits for the WebSocket publish");
        Assert.Equal(("over-ws", MqttQualityOfServiceLevel.ExactlyOnce), (message.ConvertPayloadToString(), message.QualityOfServiceLevel));
    }

    private MqttClientOptions WebSocketOptions(string clientId) =>
        new MqttClientOptionsBuilder()
            .WithWebSocketServer(o => o.WithUri($"ws://127.0.0.1:{broker.WebSocketPort}/mqtt"))
            .WithClientId(clientId)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build();
}
