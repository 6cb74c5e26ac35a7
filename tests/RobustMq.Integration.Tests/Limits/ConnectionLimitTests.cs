using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MQTTnet;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Limits;

/// <summary>
/// The real executable holds at most Listeners:MaxConnections clients; by default its open-file limit less a reserve,
/// so more clients than it has descriptors for are turned away and the process lives on (the runtime dies with
/// "Out of memory." when it cannot get a descriptor it needs).
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class ConnectionLimitTests
{
    [Fact]
    public async Task Connections_over_the_configured_limit_are_closed_until_one_leaves()
    {
        var port = FreePorts.Next();
        await using var broker = BrokerProcess.Start(port, openFiles: null, "--Listeners:MaxConnections=3");
        await broker.WaitForListenerAsync();
        var clients = new List<IMqttClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                clients.Add(await ConnectAsync(port, $"limit-{i}"));
            }

            await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(port, "limit-over"));

            await clients[0].DisconnectAsync();
            var admitted = await ConnectEventuallyAsync(port, "limit-after");
            Assert.True(admitted.IsConnected);
            clients.Add(admitted);
            Assert.Contains(broker.Output, line => line.Contains("Refusing connections: 3 are open", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task More_clients_than_open_files_are_turned_away_and_the_broker_lives_on()
    {
        Assert.True(File.Exists("/usr/bin/prlimit"), "needs prlimit (util-linux, on every Debian)");
        // The broker has 200+ descriptors open once started (assemblies, Orleans, Kestrel), so at most 360 are
        // left for clients, and by default it takes no more than 560 - open - 256. Sized to stay far below the test
        // process's own limit (1024 where nobody raised it).
        const int openFiles = 560;
        const int clients = 420;
        var port = FreePorts.Next();
        await using var broker = BrokerProcess.Start(port, openFiles);
        await broker.WaitForListenerAsync();

        // More connections than the process has descriptors left: without a limit the accepts fail for want of
        // descriptors, and the runtime with them.
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < clients; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                await socket.ConnectAsync(IPAddress.Loopback, port);
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
            var turnedAway = sockets.Count(ClosedByPeer);

            Assert.False(broker.HasExited, broker.Tail());
            Assert.True(turnedAway >= clients - (openFiles - 200 - ConnectionLimitReserve), $"{turnedAway} of {clients} turned away\n{broker.Tail()}");
            Assert.DoesNotContain(broker.Output, line => line.Contains("Accepting a TCP connection failed", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }

        using var client = await ConnectEventuallyAsync(port, "after-the-crowd");
        await client.PingAsync();
        Assert.False(broker.HasExited, broker.Tail());
    }

    /// <summary>Descriptors the broker keeps back from clients (ConnectionLimit.DescriptorReserve).</summary>
    private const int ConnectionLimitReserve = 256;

    private static bool ClosedByPeer(Socket socket)
    {
        try
        {
            return socket.Poll(0, SelectMode.SelectRead) && socket.Receive(new byte[1]) == 0;
        }
        catch (SocketException)
        {
            // Reset by the broker: turned away too.
            return true;
        }
    }

    private static async Task<IMqttClient> ConnectAsync(int port, string clientId)
    {
        var client = Mqtt.NewClient();
        try
        {
            var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(clientId).WithTimeout(TimeSpan.FromSeconds(5)).Build();
            await client.ConnectAsync(options);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Connects, retrying for a while: a place frees once the broker has seen a connection end.</summary>
    private static async Task<IMqttClient> ConnectEventuallyAsync(int port, string clientId)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await ConnectAsync(port, clientId);
            }
            catch (Exception) when (deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>The broker executable on loopback, optionally under an open-file limit, its output collected.</summary>
    private sealed class BrokerProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _output = new();
        private readonly int _port;

        private BrokerProcess(Process process, int port)
        {
            _process = process;
            _port = port;
        }

        public IEnumerable<string> Output => _output;

        public bool HasExited => _process.HasExited;

        public static BrokerProcess Start(int port, int? openFiles, params string[] arguments)
        {
            var info = new ProcessStartInfo(openFiles is null ? "dotnet" : "/usr/bin/prlimit")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            if (openFiles is { } limit)
            {
                info.ArgumentList.Add($"--nofile={limit}:{limit}");
                info.ArgumentList.Add("dotnet");
            }

            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "robustmq.dll"));
            info.ArgumentList.Add("--Listeners:Tcp:Address=127.0.0.1");
            info.ArgumentList.Add($"--Listeners:Tcp:Port={port}");
            info.ArgumentList.Add("--Listeners:WebSocket:Address=127.0.0.1");
            foreach (var key in new[] { "Listeners:WebSocket:Port", "Admin:Port", "Cluster:SiloPort", "Cluster:GatewayPort" })
            {
                info.ArgumentList.Add($"--{key}={FreePorts.Next()}");
            }

            info.ArgumentList.Add("--Sys:IntervalSeconds=0");
            foreach (var argument in arguments)
            {
                info.ArgumentList.Add(argument);
            }

            var broker = new BrokerProcess(Process.Start(info)!, port);
            broker._process.OutputDataReceived += (_, e) => broker.Collect(e.Data);
            broker._process.ErrorDataReceived += (_, e) => broker.Collect(e.Data);
            broker._process.BeginOutputReadLine();
            broker._process.BeginErrorReadLine();
            return broker;
        }

        public async Task WaitForListenerAsync()
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                Assert.False(_process.HasExited, $"the broker exited at start-up\n{Tail()}");
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"no TCP listener after 60 s\n{Tail()}");
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await probe.ConnectAsync(IPAddress.Loopback, _port);
                    return;
                }
                catch (SocketException)
                {
                    await Task.Delay(100);
                }
            }
        }

        public string Tail() => string.Join('\n', _output.TakeLast(40));

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
            _process.Dispose();
        }

        private void Collect(string? line)
        {
            // Bounded: a broker flooding its log must not fill the test's memory.
            if (line is not null && _output.Count < 100_000)
            {
                _output.Enqueue(line);
            }
        }
    }
}
