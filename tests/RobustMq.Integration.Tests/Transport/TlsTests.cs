using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Transport;

[Trait("Topology", "SingleNode")]
public sealed class TlsTests(TlsBrokerFixture broker) : IClassFixture<TlsBrokerFixture>
{
    [Fact]
    public async Task Tls_subscriber_receives_a_message_published_over_tcp()
    {
        using var tlsClient = Mqtt.NewClient();
        var received = new MessageCollector(tlsClient);
        await tlsClient.ConnectAsync(Secure(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.TlsPort), "tls-sub"));
        await tlsClient.SubscribeAsync("transport/tls/in", MqttQualityOfServiceLevel.AtLeastOnce);
        using var tcpClient = await Mqtt.ConnectAsync(broker, "tls-tcp-pub");

        await tcpClient.PublishAsync(Mqtt.Message("transport/tls/in", "over-tcp", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var message = await received.NextAsync("TLS subscriber waits for the TCP publish");
        Assert.Equal("over-tcp", message.ConvertPayloadToString());
    }

    [Fact]
    public async Task Wss_publisher_reaches_a_tcp_subscriber()
    {
        using var tcpClient = await Mqtt.ConnectAsync(broker, "wss-tcp-sub");
        var received = new MessageCollector(tcpClient);
        await tcpClient.SubscribeAsync("transport/wss/out", MqttQualityOfServiceLevel.ExactlyOnce);
        using var wssClient = Mqtt.NewClient();
        await wssClient.ConnectAsync(Secure(
            new MqttClientOptionsBuilder().WithWebSocketServer(o => o.WithUri($"wss://127.0.0.1:{broker.WssPort}/mqtt")), "wss-pub"));

        var result = await wssClient.PublishAsync(Mqtt.Message("transport/wss/out", "over-wss", MqttQualityOfServiceLevel.ExactlyOnce).Build());

        Assert.True(result.IsSuccess, $"PUBREC/PUBCOMP over WSS: {result.ReasonCode}");
        var message = await received.NextAsync("TCP subscriber waits for the WSS publish");
        Assert.Equal("over-wss", message.ConvertPayloadToString());
    }

    [Fact]
    public async Task Mosquitto_clients_publish_and_subscribe_over_tls()
    {
        using var sub = CliProcess.Start("/usr/bin/stdbuf", "-oL", "/usr/bin/mosquitto_sub", "-h", "127.0.0.1", "-p", broker.TlsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--cafile", broker.CertificatePath, "-t", "transport/tls/cli", "-q", "1", "-C", "1", "-W", "20", "-i", "tls-cli-sub", "-d");
        await Mosquitto.WaitSubscribedAsync(sub, "mosquitto_sub over TLS");

        using var pub = CliProcess.Start("/usr/bin/mosquitto_pub", "-h", "127.0.0.1", "-p", broker.TlsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--cafile", broker.CertificatePath, "-t", "transport/tls/cli", "-q", "1", "-m", "secret hello", "-i", "tls-cli-pub");

        Assert.Equal(0, await pub.WaitForExitAsync("mosquitto_pub over TLS"));
        await sub.WaitForLineAsync(l => l == "secret hello", "mosquitto_sub over TLS waits for the message");
    }

    private static MqttClientOptions Secure(MqttClientOptionsBuilder builder, string clientId) =>
        builder
            .WithTlsOptions(o => o.UseTls().WithCertificateValidationHandler(_ => true))
            .WithClientId(clientId)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build();
}
