using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MQTTnet;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Startup;

/// <summary>
/// The real executable stops on SIGINT (Ctrl-C) or SIGTERM within seconds whatever is connected, and every
/// listener's MQTT 5 clients get DISCONNECT 0x8B Server shutting down first (MQTT 4.13).
/// </summary>
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
        int tcp = FreePorts.Next(), webSocket = FreePorts.Next(), tls = FreePorts.Next(), wss = FreePorts.Next();
        using var broker = StartBroker(
            "--Listeners:Tcp:Address=127.0.0.1", $"--Listeners:Tcp:Port={tcp}",
            "--Listeners:WebSocket:Address=127.0.0.1", $"--Listeners:WebSocket:Port={webSocket}",
            "--Listeners:Tls:Address=127.0.0.1", $"--Listeners:Tls:Port={tls}",
            $"--Listeners:Tls:Certificate={certificate.CertificatePath}", $"--Listeners:Tls:Key={certificate.KeyPath}",
            "--Listeners:Wss:Address=127.0.0.1", $"--Listeners:Wss:Port={wss}");
        var clients = new List<(string Listener, IMqttClient Client, DisconnectWatcher Watcher)>();
        try
        {
            await WaitForListenerAsync(broker, tcp);
            clients.Add(await ConnectAsync(broker, "tcp", new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", tcp)));
            clients.Add(await ConnectAsync(broker, "websocket", new MqttClientOptionsBuilder().WithWebSocketServer(o => o.WithUri($"ws://127.0.0.1:{webSocket}/mqtt"))));
            clients.Add(await ConnectAsync(broker, "tls", Secure(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", tls))));
            clients.Add(await ConnectAsync(broker, "wss", Secure(new MqttClientOptionsBuilder().WithWebSocketServer(o => o.WithUri($"wss://127.0.0.1:{wss}/mqtt")))));

            var clock = Stopwatch.StartNew();
            await SignalAsync(broker.Process.Id, signal);

            foreach (var (listener, _, watcher) in clients)
            {
                var disconnected = await watcher.WaitAsync($"{listener} client after signal {signal}", ExitLimit);
                Assert.True(disconnected.Reason == MqttClientDisconnectReason.ServerShuttingDown, $"{listener} client: expected DISCONNECT 0x8B (ServerShuttingDown), got {disconnected.Reason}\n{broker.Tail()}");
            }

            using var exit = new CancellationTokenSource(ExitLimit);
            try
            {
                await broker.Process.WaitForExitAsync(exit.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"the broker still runs {ExitLimit.TotalSeconds} s after signal {signal}\n{broker.Tail()}");
            }

            Assert.True(broker.Process.ExitCode == 0, $"exit code {broker.Process.ExitCode} after signal {signal} ({clock.Elapsed.TotalSeconds:0.0} s)\n{broker.Tail()}");
        }
        finally
        {
            foreach (var (_, client, _) in clients)
            {
                client.Dispose();
            }
        }
    }

    private static async Task SignalAsync(int pid, int signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        Assert.True(kill.ExitCode == 0, $"kill -{signal} {pid} failed with exit code {kill.ExitCode}");
    }

    private static MqttClientOptionsBuilder Secure(MqttClientOptionsBuilder builder) =>
        builder.WithTlsOptions(o => o.UseTls().WithCertificateValidationHandler(_ => true));

    private static async Task<(string, IMqttClient, DisconnectWatcher)> ConnectAsync(BrokerProcess broker, string listener, MqttClientOptionsBuilder options)
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
                throw new InvalidOperationException($"{listener} client could not connect\n{broker.Tail()}", ex);
            }
        }
    }

    private static BrokerProcess StartBroker(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "robustmq.dll"));
        foreach (var key in new[] { "Admin:Port", "Cluster:SiloPort", "Cluster:GatewayPort" })
        {
            info.ArgumentList.Add($"--{key}={FreePorts.Next()}");
        }

        info.ArgumentList.Add("--Admin:Address=127.0.0.1");
        info.ArgumentList.Add("--Sys:IntervalSeconds=0");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return new BrokerProcess(Process.Start(info)!);
    }

    private static async Task WaitForListenerAsync(BrokerProcess broker, int port)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(broker.Process.HasExited, $"the broker exited at start-up\n{broker.Tail()}");
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"no TCP listener after 60 s\n{broker.Tail()}");
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>The broker process with its output collected; killed on dispose if it still runs.</summary>
    private sealed class BrokerProcess : IDisposable
    {
        private readonly ConcurrentQueue<string> _output = new();

        public BrokerProcess(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) => Collect(e.Data);
            process.ErrorDataReceived += (_, e) => Collect(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Tail() => string.Join('\n', _output.TakeLast(40));

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }

            Process.Dispose();
        }

        private void Collect(string? line)
        {
            if (line is not null && _output.Count < 10_000)
            {
                _output.Enqueue(line);
            }
        }
    }
}
