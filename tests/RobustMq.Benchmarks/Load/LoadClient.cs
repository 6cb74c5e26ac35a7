using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;

namespace RobustMq.Benchmarks.Load;

/// <summary>
/// A light MQTT client over a raw socket and Pipelines: one read loop (decode, hand PUBLISH to the handler, queue
/// acks) and one write loop that owns the output (outbox first, then the publisher's next batch, then one flush).
/// The read loop never waits on a write, so a full socket in one direction cannot stall the other.
/// </summary>
/// <remarks>
/// Packet ids: SUBSCRIBE and one-off PUBLISH take ids from one counter, a <see cref="PublishSource"/> from its own
/// space; a client is used either as a publisher or as a subscriber/one-off sender, never both at once.
/// </remarks>
public sealed partial class LoadClient : IAsyncDisposable
{
    /// <summary>How long a handshake or a SUBACK may take before the scenario gives up.</summary>
    public static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly IPublishHandler? _handler;
    private readonly ConcurrentQueue<OutItem> _outbox = new();
    private readonly AsyncSignal _wake = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<ConnAckPacket> _connAck = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<ushort, TaskCompletionSource<SubAckPacket>> _subAcks = new();
    private PublishSource? _publisher;
    private Task _readLoop = Task.CompletedTask;
    private Task _writeLoop = Task.CompletedTask;
    private int _nextPacketId;
    private volatile bool _closing;
    private volatile string? _error;

    private LoadClient(Socket socket, string clientId, MqttProtocolVersion version, IPublishHandler? handler)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true));
        _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024, leaveOpen: true));
        ClientId = clientId;
        Version = version;
        _handler = handler;
    }

    public string ClientId { get; }
    public MqttProtocolVersion Version { get; }
    /// <summary>The broker's Receive Maximum (MQTT 5 CONNACK); 65,535 when it sent none.</summary>
    public int ServerReceiveMaximum { get; private set; } = ushort.MaxValue;
    /// <summary>Why the connection failed, or null while it is healthy (a close we asked for is not an error).</summary>
    public string? Error => _error;

    /// <summary>
    /// Opens the socket, sends CONNECT (no keep-alive) and waits for a successful CONNACK. A clean session, or with
    /// <paramref name="persistent"/> one that outlives the connection (<see cref="LoadOptions.SessionExpiry"/>), to
    /// <paramref name="port"/> (default <see cref="LoadOptions.Port"/>).
    /// </summary>
    public static async Task<LoadClient> ConnectAsync(
        LoadOptions options, string clientId, IPublishHandler? handler, CancellationToken cancellationToken, bool persistent = false, int? port = null)
    {
        var expiry = persistent ? options.SessionExpiry : 0;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        LoadClient? client = null;
        try
        {
            await socket.ConnectAsync(options.Host, port ?? options.Port, cancellationToken);
            client = new LoadClient(socket, clientId, options.Version, handler);
            client.Start();
            client.Enqueue(new ConnectPacket
            {
                ProtocolVersion = options.Version,
                CleanStart = options.Version == MqttProtocolVersion.V500 || expiry == 0,
                KeepAlive = 0,
                ClientId = clientId,
                Properties = options.Version == MqttProtocolVersion.V500 && expiry > 0 ? new MqttProperties { SessionExpiryInterval = expiry } : null,
            });
            var ack = await client._connAck.Task.WaitAsync(ReplyTimeout, cancellationToken);
            if (ack.ReasonCode != 0)
            {
                throw new LoadException($"{clientId}: CONNACK refused with 0x{ack.ReasonCode:X2}");
            }

            client.ServerReceiveMaximum = ack.Properties?.ReceiveMaximum ?? ushort.MaxValue;
            return client;
        }
        catch (Exception e) when (e is TimeoutException or SocketException)
        {
            await DisposeQuietlyAsync(client, socket);
            throw new LoadException($"{clientId}: connect failed: {e.Message}", e);
        }
        catch
        {
            await DisposeQuietlyAsync(client, socket);
            throw;
        }
    }

    /// <summary>
    /// Subscribes to <paramref name="filters"/> in SUBSCRIBE packets of <paramref name="perPacket"/> filters, keeping
    /// up to <paramref name="inFlight"/> unanswered; throws when any filter is refused.
    /// </summary>
    public async Task SubscribeAsync(
        IReadOnlyList<string> filters, QoS qos, CancellationToken cancellationToken, int perPacket = 100, int inFlight = 4)
    {
        using var slots = new SemaphoreSlim(inFlight);
        var pending = new List<Task<SubAckPacket>>();
        for (var start = 0; start < filters.Count; start += perPacket)
        {
            await slots.WaitAsync(cancellationToken);
            var subscribe = new SubscribePacket { PacketId = NextPacketId() };
            for (var i = start; i < Math.Min(filters.Count, start + perPacket); i++)
            {
                subscribe.Subscriptions.Add(new TopicSubscription(filters[i], qos));
            }

            var reply = new TaskCompletionSource<SubAckPacket>(TaskCreationOptions.RunContinuationsAsynchronously);
            _subAcks[subscribe.PacketId] = reply;
            pending.Add(ReleaseWhenAnswered(reply.Task, slots));
            Enqueue(subscribe);
        }

        foreach (var answer in pending)
        {
            var subAck = await answer.WaitAsync(ReplyTimeout, cancellationToken);
            foreach (var code in subAck.ReasonCodes)
            {
                if (code >= 0x80)
                {
                    throw new LoadException($"{ClientId}: SUBSCRIBE refused with 0x{code:X2}");
                }
            }
        }
    }

    /// <summary>Queues one PUBLISH (for ping-pong); QoS &gt; 0 takes the next packet id.</summary>
    public void Publish(string topic, QoS qos, ReadOnlyMemory<byte> payload)
    {
        Enqueue(new PublishPacket
        {
            Topic = topic,
            QoS = qos,
            PacketId = qos == QoS.AtMostOnce ? (ushort)0 : NextPacketId(),
            Payload = payload,
        });
    }

    /// <summary>Hands the write loop a source of PUBLISH batches; it writes as fast as its window and flushes allow.</summary>
    public void StartPublishing(PublishSource source)
    {
        Volatile.Write(ref _publisher, source);
        _wake.Set();
    }

    /// <summary>Wakes the write loop, e.g. after the publisher was stopped.</summary>
    public void Wake() => _wake.Set();

    /// <summary>Sends DISCONNECT (when healthy), then closes the socket. Bounded: a stuck peer cannot hold it up.</summary>
    public async Task CloseAsync()
    {
        if (_closing)
        {
            return;
        }

        _closing = true;
        if (_error is null && !_writeLoop.IsCompleted)
        {
            Enqueue(new DisconnectPacket());
            await Task.WhenAny(_writeLoop, Task.Delay(TimeSpan.FromSeconds(2)));
        }

        await _stop.CancelAsync();
        _socket.Close();
        await Task.WhenAny(Task.WhenAll(_readLoop, _writeLoop), Task.Delay(TimeSpan.FromSeconds(2)));
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        await _input.CompleteAsync();
        await _output.CompleteAsync();
        await _stream.DisposeAsync();
        _stop.Dispose();
    }

    private static async Task DisposeQuietlyAsync(LoadClient? client, Socket socket)
    {
        if (client is not null)
        {
            await client.DisposeAsync();
        }
        else
        {
            socket.Dispose();
        }
    }

    private static async Task<SubAckPacket> ReleaseWhenAnswered(Task<SubAckPacket> reply, SemaphoreSlim slots)
    {
        try
        {
            return await reply;
        }
        finally
        {
            try
            {
                slots.Release();
            }
            catch (ObjectDisposedException)
            {
                // SubscribeAsync already gave up and disposed the slots.
            }
        }
    }

    private void Start()
    {
        _readLoop = Task.Run(ReadLoopAsync);
        _writeLoop = Task.Run(WriteLoopAsync);
    }

    private void Enqueue(MqttPacket packet)
    {
        _outbox.Enqueue(new OutItem(packet, default, 0));
        _wake.Set();
    }

    private ushort NextPacketId()
    {
        // 1..65535: MQTT-2.2.1-3 forbids 0.
        var id = (uint)Interlocked.Increment(ref _nextPacketId);
        return (ushort)((id % ushort.MaxValue) + 1);
    }

    private void Fail(string error)
    {
        if (_closing || _error is not null)
        {
            return;
        }

        _error = $"{ClientId}: {error}";
        Console.Error.WriteLine($"load: {_error}");
        _connAck.TrySetException(new LoadException(_error));
        foreach (var reply in _subAcks.Values)
        {
            reply.TrySetException(new LoadException(_error));
        }
    }
}
