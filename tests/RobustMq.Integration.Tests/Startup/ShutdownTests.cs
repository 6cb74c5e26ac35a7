using System.Diagnostics;
using MQTTnet;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Startup;

/// <summary>
/// The real executable stops on SIGINT (Ctrl-C) or SIGTERM within seconds whatever is connected, and every
/// listener's MQTT 5 clients get DISCONNECT 0x8B Server shutting down first (MQTT 4.13).
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class ShutdownTests
{
    private const int SigInt = 2;
    private const int SigTerm = 15;
    private static readonly TimeSpan ExitLimit = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(SigInt)]
    [InlineData(SigTerm)]
    public async Task Signal_disconnects_clients_of_every_listener_with_0x8B_and_the_process_exits_0_within_seconds(int signal)
    {
        using var certificate = new TestCertificate();
        int tls = FreePorts.Next(), wss = FreePorts.Next();
        await using var broker = BrokerExecutable.Start(
        [
            "--Sys:IntervalSeconds=0",
            "--Listeners:Tls:Address=127.0.0.1", $"--Listeners:Tls:Port={tls}",
            $"--Listeners:Tls:Certificate={certificate.CertificatePath}", $"--Listeners:Tls:Key={certificate.KeyPath}",
            "--Listeners:Wss:Address=127.0.0.1", $"--Listeners:Wss:Port={wss}",
        ]);
        var webSocket = broker.Ports["Listeners:WebSocket:Port"];
        await broker.WaitStartedAsync("start-up");
        var clients = new List<(string Listener, IMqttClient Client, DisconnectWatcher Watcher)>();
        try
        {
            clients.Add(await ConnectAsync(broker, "tcp", new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.MqttPort)));
            clients.Add(await ConnectAsync(broker, "websocket", new MqttClientOptionsBuilder().WithWebSocketServer(o => o.WithUri($"ws://127.0.0.1:{webSocket}/mqtt"))));
            clients.Add(await ConnectAsync(broker, "tls", Secure(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", tls))));
            clients.Add(await ConnectAsync(broker, "wss", Secure(new MqttClientOptionsBuilder().WithWebSocketServer(o => o.WithUri($"wss://127.0.0.1:{wss}/mqtt")))));

            var clock = Stopwatch.StartNew();
            await broker.SignalAsync(signal);

            foreach (var (listener, _, watcher) in clients)
            {
                var disconnected = await watcher.WaitAsync($"{listener} client after signal {signal}", ExitLimit);
                Assert.True(disconnected.Reason == MqttClientDisconnectReason.ServerShuttingDown, $"{listener} client: expected DISCONNECT 0x8B (ServerShuttingDown), got {disconnected.Reason}\n{broker.Log}");
            }

            var exitCode = await broker.WaitForExitAsync($"exit after signal {signal}", ExitLimit);
            Assert.True(exitCode == 0, $"exit code {exitCode} after signal {signal} ({clock.Elapsed.TotalSeconds:0.0} s)\n{broker.Log}");
        }
        finally
        {
            foreach (var (_, client, _) in clients)
            {
                client.Dispose();
            }
        }
    }

    private static MqttClientOptionsBuilder Secure(MqttClientOptionsBuilder builder) =>
        builder.WithTlsOptions(o => o.UseTls().WithCertificateValidationHandler(_ => true));

    private static async Task<(string, IMqttClient, DisconnectWatcher)> ConnectAsync(BrokerExecutable broker, string listener, MqttClientOptionsBuilder options)
    {
        var client = Mqtt.NewClient();
        var watcher = new DisconnectWatcher(client);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // Kestrel's listeners may come up a moment after the TCP one.
                await client.ConnectAsync(options.WithClientId($"shutdown-{listener}").WithTimeout(TimeSpan.FromSeconds(5)).Build());
                return (listener, client, watcher);
            }
            catch (Exception ex) when (deadline.Elapsed < TimeSpan.FromSeconds(30) && ex is not OperationCanceledException)
            {
                await Task.Delay(200);
            }
            catch (Exception ex)
            {
                client.Dispose();
                throw new InvalidOperationException($"{listener} client could not connect\n{broker.Log}", ex);
            }
        }
    }
}
