using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MQTTnet;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Limits;

/// <summary>
/// The real executable under a low open-file limit (prlimit): more clients than it has descriptors for wait in the
/// listen backlog while the accept loop pauses (no spinning core, no log flood, no crash), and are served once
/// descriptors are free again.
/// </summary>
public sealed class FileDescriptorLimitTests
{
    private const int Limit = 512;
    private const string AcceptFailed = "Accepting a TCP connection failed";

    [Fact]
    public async Task Out_of_descriptors_pauses_accepting_and_recovers()
    {
        Assert.True(File.Exists("/usr/bin/prlimit"), "needs prlimit (util-linux, on every Debian)");
        var port = FreePorts.Next();
        var output = new ConcurrentQueue<string>();
        using var process = StartBroker(port, output);
        var sockets = new List<Socket>();
        try
        {
            await WaitForListenerAsync(port, process, output);
            var inUse = Directory.GetFiles($"/proc/{process.Id}/fd").Length;

            // Enough clients to use up every descriptor the broker has left, and a hundred more.
            for (var i = 0; i < Limit - inUse + 100; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                await socket.ConnectAsync(IPAddress.Loopback, port);
            }

            await WaitUntilAsync(() => output.Any(line => line.Contains(AcceptFailed, StringComparison.Ordinal)), process, output, "an accept failure logged");
            await Task.Delay(TimeSpan.FromSeconds(3));

            Assert.False(process.HasExited, Tail(output));
            var failures = output.Count(line => line.Contains(AcceptFailed, StringComparison.Ordinal));
            Assert.True(failures <= 15, $"{failures} accept failures logged in about 3 s: the accept loop spins\n{Tail(output)}");
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }

        try
        {
            // Descriptors are free again: a real client is served.
            var client = Mqtt.NewClient();
            var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("after-emfile").WithTimeout(TimeSpan.FromSeconds(10)).Build();
            var connected = await client.ConnectAsync(options);
            Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);
            await client.PingAsync();
            await client.DisconnectAsync();
            Assert.False(process.HasExited, Tail(output));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static Process StartBroker(int port, ConcurrentQueue<string> output)
    {
        var info = new ProcessStartInfo("/usr/bin/prlimit")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add($"--nofile={Limit}:{Limit}");
        info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "robustmq.dll"));
        info.ArgumentList.Add("--Listeners:Tcp:Address=127.0.0.1");
        info.ArgumentList.Add($"--Listeners:Tcp:Port={port}");
        info.ArgumentList.Add("--Listeners:WebSocket:Address=127.0.0.1");
        foreach (var key in new[] { "Listeners:WebSocket:Port", "Admin:Port", "Cluster:SiloPort", "Cluster:GatewayPort" })
        {
            info.ArgumentList.Add($"--{key}={FreePorts.Next()}");
        }

        info.ArgumentList.Add("--Sys:IntervalSeconds=0");
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => Collect(output, e.Data);
        process.ErrorDataReceived += (_, e) => Collect(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Collect(ConcurrentQueue<string> output, string? line)
    {
        // Bounded: a spinning accept loop would otherwise fill the test's memory with its log.
        if (line is not null && output.Count < 100_000)
        {
            output.Enqueue(line);
        }
    }

    private static async Task WaitForListenerAsync(int port, Process process, ConcurrentQueue<string> output)
    {
        await WaitUntilAsync(
            () =>
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    probe.Connect(IPAddress.Loopback, port);
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            },
            process,
            output,
            "the TCP listener");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Process process, ConcurrentQueue<string> output, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.False(process.HasExited, $"the broker exited waiting for {what}\n{Tail(output)}");
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"no {what} after 60 s\n{Tail(output)}");
            await Task.Delay(100);
        }
    }

    private static string Tail(ConcurrentQueue<string> output) => string.Join('\n', output.TakeLast(40));
}
