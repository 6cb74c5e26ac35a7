using MQTTnet;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Startup;

/// <summary>What the real executable logs while it starts and while clients come and go: only what is true.</summary>
[Trait("Topology", "SingleNode")]
public sealed class StartupLogTests(StartupLogTests.StartedBroker started) : IClassFixture<StartupLogTests.StartedBroker>
{
    private BrokerExecutable Broker => started.Broker;

    [Fact]
    public void Each_listener_is_logged_with_its_protocol_and_address()
    {
        var log = Broker.Log;

        Assert.Contains($"Listening on mqtt://127.0.0.1:{Broker.Ports["Listeners:Tcp:Port"]} (MQTT, Listeners:Tcp:Port)", log, StringComparison.Ordinal);
        Assert.Contains($"Listening on ws://127.0.0.1:{Broker.Ports["Listeners:WebSocket:Port"]}/mqtt (MQTT over WebSocket, Listeners:WebSocket:Port)", log, StringComparison.Ordinal);
        Assert.Contains($"Listening on http://127.0.0.1:{Broker.Ports["Admin:Port"]} (admin API and /metrics, Admin:Port)", log, StringComparison.Ordinal);
        Assert.Contains($"Listening on tcp://127.0.0.1:{Broker.Ports["Cluster:SiloPort"]} (Orleans silo-to-silo, Cluster:SiloPort)", log, StringComparison.Ordinal);
        Assert.Contains($"Listening on tcp://127.0.0.1:{Broker.Ports["Cluster:GatewayPort"]} (Orleans clients, Cluster:GatewayPort)", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_listeners_are_logged_as_mqtts_and_wss()
    {
        using var tls = new TestCertificate();
        int tlsPort = FreePorts.Next(), wssPort = FreePorts.Next();
        await using var broker = BrokerExecutable.Start(
        [
            "--Listeners:Tls:Address=127.0.0.1", $"--Listeners:Tls:Port={tlsPort}", $"--Listeners:Tls:Certificate={tls.CertificatePath}", $"--Listeners:Tls:Key={tls.KeyPath}",
            "--Listeners:Wss:Address=127.0.0.1", $"--Listeners:Wss:Port={wssPort}",
        ]);
        await broker.WaitStartedAsync("TLS broker start-up");

        Assert.Contains($"Listening on mqtts://127.0.0.1:{tlsPort} (MQTT over TLS, Listeners:Tls:Port)", broker.Log, StringComparison.Ordinal);
        Assert.Contains($"Listening on wss://127.0.0.1:{wssPort}/mqtt (MQTT over secure WebSocket, Listeners:Wss:Port)", broker.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening on", broker.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void Kestrel_does_not_call_the_mqtt_listeners_http()
    {
        Assert.DoesNotContain("Now listening on", Broker.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void No_watchdog_stall_is_reported_at_start()
    {
        Assert.DoesNotContain("Participant check thread has not completed", Broker.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void No_server_gc_warning_is_logged()
    {
        Assert.DoesNotContain("ServerGC", Broker.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_connect_and_disconnect_are_logged_with_id_user_and_reason()
    {
        var clientId = "logged-" + Guid.NewGuid().ToString("N")[..8];
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", Broker.MqttPort)
            .WithClientId(clientId)
            .WithCredentials("bob", "secret")
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(42))
            .WithCleanStart(true)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .Build());

        var connected = await Broker.WaitForLineAsync(l => l.Contains($"Client {clientId} connected", StringComparison.Ordinal), $"{clientId}: connect line", TimeSpan.FromSeconds(20));
        Assert.Contains($"Client {clientId} connected: user bob, peer 127.0.0.1:", connected, StringComparison.Ordinal);
        Assert.Contains("MQTT 5.0, keep alive 42 s, clean start True", connected, StringComparison.Ordinal);

        await client.DisconnectAsync();
        var disconnected = await Broker.WaitForLineAsync(l => l.Contains($"Client {clientId} disconnected", StringComparison.Ordinal), $"{clientId}: disconnect line", TimeSpan.FromSeconds(20));
        Assert.Contains($"Client {clientId} disconnected: client sent DISCONNECT NormalDisconnection (0x00)", disconnected, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MQTTnet.Formatter.MqttProtocolVersion.V500, "server sent DISCONNECT SessionTakenOver (0x8e)")]
    [InlineData(MQTTnet.Formatter.MqttProtocolVersion.V311, "closed by the server: SessionTakenOver (0x8e)")]
    public async Task Taken_over_client_is_logged_with_what_the_server_did(MQTTnet.Formatter.MqttProtocolVersion version, string reason)
    {
        var clientId = "taken-" + Guid.NewGuid().ToString("N")[..8];
        var factory = new MqttClientFactory();
        using var first = factory.CreateMqttClient();
        using var second = factory.CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", Broker.MqttPort).WithClientId(clientId).WithProtocolVersion(version).Build();
        await first.ConnectAsync(options);
        await Broker.WaitForLineAsync(l => l.Contains($"Client {clientId} connected", StringComparison.Ordinal), $"{clientId}: first connect line", TimeSpan.FromSeconds(20));

        await second.ConnectAsync(options);

        var disconnected = await Broker.WaitForLineAsync(l => l.Contains($"Client {clientId} disconnected", StringComparison.Ordinal), $"{clientId}: the first connection's disconnect line", TimeSpan.FromSeconds(20));
        Assert.Contains($"Client {clientId} disconnected: {reason}", disconnected, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_input_before_connect_names_no_null_client_id()
    {
        using var raw = new System.Net.Sockets.TcpClient();
        await raw.ConnectAsync("127.0.0.1", Broker.MqttPort);
        // A PUBLISH before CONNECT: the connection is closed for bad input, before any client id is known.
        await raw.GetStream().WriteAsync(new byte[] { 0x30, 0x03, 0x00, 0x01, 0x61 });

        var line = await Broker.WaitForLineAsync(l => l.Contains("closed for bad input", StringComparison.Ordinal), "bad-input line", TimeSpan.FromSeconds(20));
        Assert.DoesNotContain("(null)", line, StringComparison.Ordinal);
        Assert.Contains("(no client id yet)", line, StringComparison.Ordinal);
    }

    /// <summary>
    /// One broker for the class, started with the default log level. Its start-up is over at "Application started":
    /// the silo (and its watchdog) and every listener started before it.
    /// </summary>
    public sealed class StartedBroker : IAsyncLifetime
    {
        public BrokerExecutable Broker { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Broker = BrokerExecutable.Start([]);
            await Broker.WaitStartedAsync("broker start-up");
        }

        public async Task DisposeAsync() => await Broker.DisposeAsync();
    }
}
