using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>
/// Hand-made bytes over any listener (TCP, TLS or WebSocket binary frames), read back as whole packets, with the
/// end of the stream seen as the transport shows it: TCP FIN, TLS close_notify, a WebSocket Close frame.
/// </summary>
public sealed class RawStreamClient : IDisposable
{
    private readonly Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> _send;
    private readonly RawPacketReader _reader;
    private readonly IDisposable _owner;

    private RawStreamClient(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send, Func<Memory<byte>, CancellationToken, ValueTask<int>> receive, IDisposable owner)
    {
        _send = send;
        _reader = new RawPacketReader(receive);
        _owner = owner;
    }

    public static async Task<RawStreamClient> OpenTcpAsync(int port)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", port);
        var stream = tcp.GetStream();
        return new RawStreamClient(stream.WriteAsync, stream.ReadAsync, tcp);
    }

    /// <summary>TLS to a broker whose certificate is not checked (the fixtures' self-signed one).</summary>
    public static async Task<RawStreamClient> OpenTlsAsync(int port)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", port);
        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync("localhost");
        return new RawStreamClient(tls.WriteAsync, tls.ReadAsync, tls);
    }

    public static async Task<RawStreamClient> OpenWebSocketAsync(int port, string path = "/mqtt")
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("mqtt");
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}{path}"), CancellationToken.None);
        return new RawStreamClient(
            (bytes, token) => socket.SendAsync(bytes, WebSocketMessageType.Binary, true, token),
            async (memory, token) =>
            {
                var result = await socket.ReceiveAsync(memory, token);
                return result.MessageType == WebSocketMessageType.Close ? 0 : result.Count;
            },
            socket);
    }

    public async Task SendAsync(byte[] bytes) => await _send(bytes, CancellationToken.None);

    /// <summary>Sends CONNECT and expects a CONNACK that accepts it.</summary>
    public async Task ConnectAsync(string clientId, byte level, ushort keepAlive = 60)
    {
        await SendAsync(RawPackets.Connect(clientId, level, keepAlive));
        var connAck = await ReadAsync($"{clientId} waits for CONNACK", TimeSpan.FromSeconds(10));
        Assert.True(connAck is { Type: RawPacket.ConnAck, ReasonCode: 0 }, $"{clientId}: expected CONNACK 0, got {connAck?.ToString() ?? "the end of the stream"}");
    }

    /// <summary>Reads until the end of the stream; the packets before it and when it came (from the call).</summary>
    public async Task<(List<RawPacket> Packets, TimeSpan Elapsed)> ReadUntilClosedAsync(string phase, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var packets = new List<RawPacket>();
        while (await ReadAsync(phase, timeout - clock.Elapsed, packets) is { } packet)
        {
            packets.Add(packet);
        }

        return (packets, clock.Elapsed);
    }

    /// <summary>The next packet, or null at the end of the stream (or when the connection was reset).</summary>
    public async Task<RawPacket?> ReadAsync(string phase, TimeSpan timeout, List<RawPacket>? before = null)
    {
        using var cts = new CancellationTokenSource(timeout > TimeSpan.Zero ? timeout : TimeSpan.FromTicks(1));
        try
        {
            return await _reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{phase}: neither a packet nor the end of the stream within {timeout.TotalMilliseconds:0} ms (read before: [{string.Join("; ", before ?? [])}])");
        }
        catch (Exception ex) when (ex is IOException or SocketException or WebSocketException or ObjectDisposedException)
        {
            return null;
        }
    }

    public void Dispose() => _owner.Dispose();
}
