using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using RobustMq.Gateway.Connections;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>
/// A loopback listener of the test (on a free port the system picks) that runs one <see cref="MqttConnection"/> on a
/// broker's own services, with a half-close the test chooses: it can fail or hold the end of a connection the way a
/// transport can (a TLS shutdown that throws, a close that takes a while).
/// </summary>
public sealed class TestListener : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    private TestListener(BrokerFixture broker, Func<ValueTask> closeOutput)
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Served = ServeOneAsync(broker, closeOutput);
    }

    /// <summary>The port a client connects to.</summary>
    public int Port { get; }

    /// <summary>The connection's run, from accept to its end (faults with what escaped the connection).</summary>
    public Task Served { get; }

    public static TestListener Start(BrokerFixture broker, Func<ValueTask> closeOutput) => new(broker, closeOutput);

    public void Dispose() => _listener.Dispose();

    private async Task ServeOneAsync(BrokerFixture broker, Func<ValueTask> closeOutput)
    {
        var socket = await _listener.AcceptSocketAsync();
        var stream = new NetworkStream(socket, ownsSocket: true);
        var transport = new StreamTransport(PipeReader.Create(stream), PipeWriter.Create(stream));
        var services = broker.Services.GetRequiredService<ConnectionServices>();
        var connection = new MqttConnection(transport, socket.RemoteEndPoint?.ToString(), stream.Dispose, closeOutput, services);
        await connection.RunAsync();
    }

    private sealed class StreamTransport(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
