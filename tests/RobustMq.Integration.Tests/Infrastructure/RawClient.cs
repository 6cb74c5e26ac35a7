using System.Diagnostics;
using System.Net.Sockets;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>A bare TCP connection to the broker that writes hand-made bytes and reads whole packets back.</summary>
public sealed class RawClient : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly RawPacketReader _reader;

    private RawClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reader = new RawPacketReader(_stream.ReadAsync);
    }

    public static Task<RawClient> OpenAsync(BrokerFixture broker) => OpenAsync(broker.MqttPort);

    /// <summary>A connection to a loopback port (a listener a test runs itself).</summary>
    public static async Task<RawClient> OpenAsync(int port)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", port);
        return new RawClient(tcp);
    }

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Sends CONNECT and expects a CONNACK that accepts it; returns the CONNACK.</summary>
    public async Task<RawPacket> ConnectAsync(string clientId, byte level = RawPackets.V5, ushort keepAlive = 60, bool cleanStart = true, RawWill? will = null, uint? sessionExpiry = null, ushort? receiveMaximum = null, ushort? topicAliasMaximum = null, string? userName = null)
    {
        await SendAsync(RawPackets.Connect(clientId, level, keepAlive, cleanStart, will, sessionExpiry, receiveMaximum, topicAliasMaximum, userName));
        var connAck = await ExpectAsync(RawPacket.ConnAck, $"raw client {clientId} waits for CONNACK");
        Assert.Equal(0, connAck.ReasonCode);
        return connAck;
    }

    /// <summary>The next packet, which must be of <paramref name="type"/>.</summary>
    public async Task<RawPacket> ExpectAsync(int type, string phase, TimeSpan? timeout = null)
    {
        var packet = await ReadAsync(phase, timeout);
        Assert.True(packet is not null, $"{phase}: the broker closed the connection instead of sending packet type {type}");
        Assert.True(packet.Type == type, $"{phase}: expected packet type {type}, got {packet}");
        return packet;
    }

    /// <summary>The next packet, or null when the broker closed the connection.</summary>
    public async Task<RawPacket?> ReadAsync(string phase, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        using var cts = new CancellationTokenSource(limit);
        try
        {
            return await _reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{phase}: no packet and no close within {limit.TotalSeconds} s");
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>Reads until the broker closes the connection; returns the packets read before the close.</summary>
    public async Task<List<RawPacket>> ReadUntilClosedAsync(string phase, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        var clock = Stopwatch.StartNew();
        var packets = new List<RawPacket>();
        while (true)
        {
            var left = limit - clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"{phase}: the broker did not close the connection within {limit.TotalSeconds} s (read [{string.Join("; ", packets)}])");
            }

            RawPacket? packet;
            try
            {
                packet = await ReadAsync(phase, left);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"{phase}: the broker did not close the connection within {limit.TotalSeconds} s (read [{string.Join("; ", packets)}])");
            }

            if (packet is null)
            {
                return packets;
            }

            packets.Add(packet);
        }
    }

    /// <summary>Drops the connection with a TCP reset: no DISCONNECT, no orderly close.</summary>
    public void Abort()
    {
        _tcp.Client.LingerState = new LingerOption(true, 0);
        _tcp.Close();
    }

    public void Dispose() => _tcp.Dispose();
}
