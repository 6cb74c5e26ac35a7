using Microsoft.AspNetCore.Connections;
using System.IO.Pipelines;
using RobustMq.Gateway.Nodes;
using RobustMq.Abstractions.Metrics;
using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Channel;
using RobustMq.Gateway.Listeners;
using RobustMq.Protocol;
using RobustMq.Protocol.Codec;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Connections;

/// <summary>
/// One client connection: a read loop that decodes and handles packets in order, an outbound queue, and
/// a write loop that writes many packets per flush. Transport-agnostic (TCP, TLS, WebSocket).
/// </summary>
public sealed partial class MqttConnection
{
    private readonly IDuplexPipe _transport;
    private readonly Action _abort;
    private readonly Func<ValueTask> _closeOutput;
    private readonly ConnectionServices _services;
    private readonly CancellationTokenSource _closed = new();
    private readonly Doorbell _doorbell = new();
    private readonly TaskCompletionSource _handedBack = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private OutboundQueue _outbound;
    private MqttProtocolVersion _version;
    private KeepAliveMonitor _keepAlive;
    private volatile bool _connected;
    private volatile bool _closing;
    private DisconnectKind _endKind = DisconnectKind.Abnormal;
    private uint? _expiryOnDisconnect;

    // Closed for a CONNECT that took its session over (TakeOver).
    private volatile bool _takenOver;
    private bool _inputEnded;
    private long _closingSeenAt;
    private bool _aborted;
    internal static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(10);

    /// <param name="transport">The connection's byte streams.</param>
    /// <param name="remoteEndPoint">The client's address, for logs and the admin API.</param>
    /// <param name="abort">Cuts the transport off at once (pending reads and writes fail).</param>
    /// <param name="closeOutput">
    /// Half-closes the transport after the output was completed: the client reads the end of the stream (TCP FIN,
    /// TLS close_notify, WebSocket Close) while the input stays readable.
    /// </param>
    /// <param name="services">The node's shared services.</param>
    /// <param name="peerCertificate">The client certificate the TLS handshake verified, or null (plain transports, none sent).</param>
    public MqttConnection(IDuplexPipe transport, string? remoteEndPoint, Action abort, Func<ValueTask> closeOutput, ConnectionServices services, PeerCertificate? peerCertificate = null)
    {
        _peerCertificate = peerCertificate;
        _messageRate = RateOf(services.Options.MaxMessageRate, services.Clock);
        _byteRate = RateOf(services.Options.MaxByteRate, services.Clock);
        _transport = transport;
        _abort = abort;
        _closeOutput = closeOutput;
        _services = services;
        RemoteEndPoint = remoteEndPoint;
        Ref = services.Registry.NewRef();
        _keepAlive = new KeepAliveMonitor(services.Clock);
        _outbound = new OutboundQueue(1, 1);
    }

    public ConnectionRef Ref { get; }
    public string? ClientId { get; private set; }
    public string? RemoteEndPoint { get; }
    public MqttProtocolVersion Version => _version;

    /// <summary>Run the connection until the client or the server ends it.</summary>
    public async Task RunAsync()
    {
        _services.Registry.Track(this);
        var writer = WriteLoopAsync();
        if (_services.Registry.IsStopping)
        {
            // Arrived while the node shuts down (ConnectionRegistry.CloseAllAsync has not seen it).
            CloseFromServer((byte)ReasonCode.ServerShuttingDown);
        }

        try
        {
            await ReadLoopAsync();
        }
        catch (MqttProtocolException ex)
        {
            OnProtocolError(ex);
        }
        catch (OperationCanceledException)
        {
            // Closed by the server (takeover, keep-alive, administrative action) or by the host.
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or ObjectDisposedException or InvalidOperationException)
        {
            LogTransportClosed(_services.Logger, ex, Ref.ConnectionId, LogClientId);
        }
        catch (Exception ex)
        {
            LogConnectionFailed(_services.Logger, ex, Ref.ConnectionId, LogClientId);
        }
        finally
        {
            await EndAsync(writer);
        }
    }

    /// <summary>
    /// A delivery from the router or a dispatcher. <paramref name="stored"/>: the write of its record, for a QoS 1/2
    /// delivery to a persistent session (MqttConnection.Storage); the publisher is acknowledged once it completes.
    /// </summary>
    public LocalDelivery TryDeliver(PendingMessage message, out Task stored)
    {
        stored = Task.CompletedTask;
        if (_closing)
        {
            return LocalDelivery.NotConnected;
        }

        if ((message.HandedOn || message.PacketId != 0) && !MayRead(message))
        {
            // Handed on from a connection of this session that was taken over: it was checked for the reader of that
            // connection, and the session may have been resumed under another user name.
            Unstore(message);
            return LocalDelivery.Delivered;
        }

        var outcome = LocalDelivery.Delivered;
        if (message.PacketId != 0)
        {
            // Handed on from a connection of this session that was taken over: resent with DUP and its
            // packet id (MQTT-4.4.0-1), like the session's own unacknowledged messages at CONNECT.
            if (!_outbound.Resume([message], []))
            {
                return LocalDelivery.NotConnected;
            }
        }
        else if (Volatile.Read(ref _attaching) is { } attaching)
        {
            // The session is being attached: its CONNECT takes what came so far and stores it (StoreEarly), so this
            // one is either queued before that, or stamped after it, never in between.
            lock (attaching)
            {
                if (!Enqueue(message, ref outcome, out stored))
                {
                    return outcome;
                }
            }
        }
        else if (!Enqueue(message, ref outcome, out stored))
        {
            return outcome;
        }

        Ring();
        return outcome;
    }

    /// <summary>
    /// Queues a first delivery, stored first when the session keeps its deliveries (its record is written before the
    /// delete that follows its acknowledgement). False when it was not queued: <paramref name="outcome"/> says why.
    /// </summary>
    private bool Enqueue(PendingMessage message, ref LocalDelivery outcome, out Task stored)
    {
        var delivery = Store(message, out stored);
        switch (_outbound.EnqueueDelivery(delivery))
        {
            case OutboundQueue.EnqueueResult.Closed:
                if (delivery != message)
                {
                    // The session gets the message instead (and stores it itself): this record goes.
                    Unstore(delivery);
                }

                stored = Task.CompletedTask;
                outcome = LocalDelivery.NotConnected;
                return false;
            case OutboundQueue.EnqueueResult.QueuedCongested:
                outcome = LocalDelivery.Congested;
                return true;
            case OutboundQueue.EnqueueResult.DroppedQueueFull:
                // A QoS 0 delivery, or one for a client that stopped draining (publishers waited for it in vain, see
                // WaitForRoomAsync): it loses what exceeds Mqtt:MaxQueuedMessages.
                _services.Metrics.Dropped(DropReasons.QueueFull);
                _services.Metrics.DroppedMessage(delivery.Message.Topic, delivery.Message.QoS);
                Unstore(delivery);
                stored = Task.CompletedTask;
                outcome = LocalDelivery.Delivered;
                return false;
            default:
                return true;
        }
    }

    /// <summary>
    /// Back-pressure for a publisher: wait until this connection's queue is down to a quarter full, for at
    /// most <c>Mqtt:BackPressureTimeoutMs</c>. A client that does not drain in that time is marked stalled
    /// and holds nobody back until it catches up.
    /// </summary>
    public async Task WaitForRoomAsync(CancellationToken cancellationToken)
    {
        var room = _outbound.WaitForRoomAsync();
        if (room.IsCompleted || _services.Options.BackPressureTimeoutMs == 0)
        {
            return;
        }

        _services.Metrics.BackPressureWaits.Inc();
        var timeout = TimeSpan.FromMilliseconds(_services.Options.BackPressureTimeoutMs);
        try
        {
            await room.WaitAsync(timeout, _services.Clock, cancellationToken);
        }
        catch (TimeoutException)
        {
            _services.Metrics.SlowSubscribers.Inc();
            LogSlowSubscriber(_services.Logger, Ref.ConnectionId, LogClientId, _services.Options.BackPressureTimeoutMs);
            _outbound.MarkStalled();
        }
    }

    // The takeover waiting for this connection's hand-back (TakeOver), the hand-back on its way to the session grain,
    // or GrainTakesHandBack once the connection ended needing none.
    private object? _handBack;
    private static readonly object GrainTakesHandBack = new();

    /// <summary>Close from the server side: DISCONNECT with the reason on MQTT 5, then close.</summary>
    public void CloseFromServer(byte reasonCode)
    {
        if (_closing)
        {
            return;
        }

        _endKind = DisconnectDecision.FromServer((ReasonCode)reasonCode).Kind;
        _endReason ??= ServerClose((ReasonCode)reasonCode);
        SendDisconnectAndClose((ReasonCode)reasonCode);
    }

    /// <summary>
    /// Closes this connection for a CONNECT that takes its session over (0x8E, MQTT-3.1.4-3): the returned source
    /// completes with what the connection owed its client (what it hands the session grain otherwise), which the caller
    /// takes instead. A connection already handing it to the grain gives the same request (the grain leaves out of
    /// that call what the takeover took: <paramref name="alsoToGrain"/>); one that needed no hand-back gives null. A
    /// caller that stops waiting cancels it, and the connection then hands back to the grain as usual.
    /// </summary>
    internal TaskCompletionSource<DisconnectRequest?> TakeOver(out bool alsoToGrain)
    {
        alsoToGrain = false;
        var takeover = new TaskCompletionSource<DisconnectRequest?>(TaskCreationOptions.RunContinuationsAsynchronously);
        switch (Interlocked.CompareExchange(ref _handBack, takeover, null))
        {
            case TaskCompletionSource<DisconnectRequest?> waiting:
                takeover = waiting;
                break;
            case DisconnectRequest handingBack:
                alsoToGrain = true;
                takeover.TrySetResult(handingBack);
                break;
            case not null:
                takeover.TrySetResult(null);
                break;
        }

        _takenOver = true;
        CloseFromServer((byte)ReasonCode.SessionTakenOver);
        return takeover;
    }

    /// <summary>
    /// Completes once the connection has ended as far as the broker is concerned: its last packet is written, its
    /// output closed and its session handed back (what a takeover or a shutdown waits for; not the input drain).
    /// </summary>
    internal Task WhenHandedBack() => _handedBack.Task;

    /// <summary>Called by the node heartbeat about once a second.</summary>
    public void CheckTimeouts(long now)
    {
        if (_closing)
        {
            // A close that does not finish (a client that stops reading blocks the final flush) is cut off.
            if (_closingSeenAt == 0)
            {
                _closingSeenAt = now;
            }
            else if (!_aborted && _services.Clock.GetElapsedTime(_closingSeenAt, now) > CloseGrace)
            {
                _aborted = true;
                Abort();
            }

            return;
        }

        if (!_connected)
        {
            if (_keepAlive.IsConnectOverdue(now, TimeSpan.FromSeconds(_services.Options.ConnectTimeoutSeconds)))
            {
                Abort();
            }

            return;
        }

        if (_keepAlive.IsOverdue(now))
        {
            // MQTT-3.1.2-22 (5) / MQTT-3.1.2-24 (3.1.1): one and a half keep-alive periods without a packet: close as a
            // network failure.
            _endKind = DisconnectDecision.FromServer(ReasonCode.KeepAliveTimeout).Kind;
            _endReason ??= "keep-alive timeout: " + ServerClose(ReasonCode.KeepAliveTimeout);
            SendDisconnectAndClose(ReasonCode.KeepAliveTimeout);
        }
    }

    private async Task ReadLoopAsync()
    {
        var input = _transport.Input;
        var inARow = default(InARow);
        while (true)
        {
            var read = input.ReadAsync();
            if (inARow.ShouldYield(read.IsCompleted))
            {
                // A client that always has more to read would keep a socket event thread, and every socket of its
                // loop, to itself: it goes on on the pool (and comes back to an event thread at its next wait).
                await Task.Yield();
            }

            var result = await read;
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            // What these packets wake is written by this thread once they are handled (or one of them waits).
            ReadTurn.Enter();
            try
            {
                var limits = new DecoderLimits(_version, (uint)_services.Options.MaxPacketSize);
                var before = buffer.Length;
                var unmetered = buffer.Length;
                // A client over its rate is not read further: the rest of what it sent waits in the pipe (and then
                // in its socket) until the debt is paid (MqttConnection.Limits).
                while (!_closing && !OverRate && MqttPacketReader.TryReadFrame(ref buffer, limits, out var packet, out var publish))
                {
                    consumed = buffer.Start;
                    if (_byteRate is not null)
                    {
                        _byteRate.Take(unmetered - buffer.Length);
                        unmetered = buffer.Length;
                    }

                    _keepAlive.Received();
                    if (packet is not null)
                    {
                        _services.Metrics.PacketReceived(packet.Type);
                    }

                    var handled = packet is null ? HandlePublishAsync(publish) : HandleAsync(packet);
                    if (!handled.IsCompletedSuccessfully)
                    {
                        // The turn ends before a wait: the rest of the loop may go on on another thread.
                        ReadTurn.Exit();
                        try
                        {
                            await handled;
                        }
                        finally
                        {
                            ReadTurn.Enter();
                        }
                    }

                    limits = new DecoderLimits(_version, (uint)_services.Options.MaxPacketSize);
                }

                _services.Metrics.BytesReceived.Inc(before - buffer.Length);
            }
            finally
            {
                ReadTurn.Exit();
                // Stopped for the rate: what is left was not looked at, so the next read returns it without new data.
                input.AdvanceTo(consumed, OverRate ? consumed : buffer.End);
            }

            if (OverRate && !_closing)
            {
                await ThrottleAsync();
                if (!_closing)
                {
                    // A client kept over its rate never reaches the end of the loop: what was queued meanwhile runs here.
                    await RunLoopWorkAsync();
                    continue;
                }
            }

            // A cancelled read without _closing (SignalClosed sets it before it cancels) is AclChanged's or RunOnLoop's wake-up.
            if (_closing || result.IsCompleted)
            {
                _inputEnded = result.IsCompleted;
                return;
            }

            await RunLoopWorkAsync();
        }
    }

    private ValueTask HandleAsync(MqttPacket packet)
    {
        TraceIn(packet);
        CheckPacketOrder(packet);
        switch (packet)
        {
            case AuthPacket auth:
                return new ValueTask(HandleAuthAsync(auth));
            case ConnectPacket connect:
                return new ValueTask(HandleConnectAsync(connect));
            case PubAckPacket ack:
                OnPubAck(ack);
                return ValueTask.CompletedTask;
            case PubRecPacket rec:
                OnPubRec(rec);
                return ValueTask.CompletedTask;
            case PubRelPacket rel:
                return OnPubRel(rel);
            case PubCompPacket comp:
                OnPubComp(comp);
                return ValueTask.CompletedTask;
            case SubscribePacket subscribe:
                return new ValueTask(HandleSubscribeAsync(subscribe));
            case UnsubscribePacket unsubscribe:
                return new ValueTask(HandleUnsubscribeAsync(unsubscribe));
            case PingReqPacket:
                Send(PingRespPacket.Instance);
                return ValueTask.CompletedTask;
            case DisconnectPacket disconnect:
                OnDisconnect(disconnect);
                return ValueTask.CompletedTask;
            default:
                throw new MqttProtocolException(ReasonCode.ProtocolError, $"unexpected {packet.Type} from a client");
        }
    }

    private void OnDisconnect(DisconnectPacket disconnect)
    {
        ApplyClientDisconnect(disconnect, afterTakeover: false);
        _closing = true;
    }

    /// <summary>
    /// The client's DISCONNECT decides how the session is handed back: its Session Expiry Interval (MQTT 5 3.1.2.11.2)
    /// and whether the will goes (0x00 discards it, MQTT-3.1.2-10). One read after a takeover overrides the takeover as
    /// the reason the connection ended.
    /// </summary>
    private void ApplyClientDisconnect(DisconnectPacket disconnect, bool afterTakeover)
    {
        var decision = DisconnectDecision.FromClient(disconnect, _sessionExpiry, _services.Options);
        _expiryOnDisconnect = decision.SessionExpirySeconds;
        _endKind = decision.Kind;
        var reason = "client sent DISCONNECT " + Describe(disconnect.ReasonCode);
        if (afterTakeover)
        {
            _endReason = reason + ", read after the takeover";
        }
        else
        {
            _endReason ??= reason;
        }
    }

    private void OnProtocolError(MqttProtocolException ex)
    {
        _services.Metrics.ProtocolError((byte)ex.ReasonCode);
        _services.Metrics.PacketsReceivedError.Inc();
        LogProtocolError(_services.Logger, Ref.ConnectionId, LogClientId, ex.ReasonCode, ex.Message);
        _endKind = DisconnectKind.Abnormal;
        _endReason ??= $"bad input: {Describe(ex.ReasonCode)} {ex.Message}";
        var reply = CloseReply.ForProtocolError(ex, _connected, _version);
        _version = reply.Version;
        Enqueue(reply);
        _closing = true;
        Ring();
    }

    private void SendDisconnectAndClose(ReasonCode reason)
    {
        // Nothing follows the DISCONNECT: deliveries racing this close go to the session instead (MQTT-3.14.4-1).
        Enqueue(CloseReply.ForServerClose(reason, _connected, _version));
        _closing = true;
        _closeAfterFlush = true;
        Ring();
    }

    private void Enqueue(CloseReply reply)
    {
        if (reply.Final)
        {
            _outbound.EnqueueFinal(reply.Packet);
        }
        else if (reply.Packet is { } packet)
        {
            _outbound.EnqueueControl(packet);
        }
    }

    private void Send(MqttPacket packet)
    {
        _outbound.EnqueueControl(packet);
        Ring();
    }

    private void Ring() => _doorbell.Ring();

    private void Abort()
    {
        SignalClosed();
        _abort();
    }

    /// <summary>
    /// Stops the read loop and any grain wait. The read itself is cancelled with CancelPendingRead rather than a
    /// token: a token registration per pending read costs ~300 bytes on every idle connection.
    /// </summary>
    private void SignalClosed()
    {
        _closing = true;
        _closed.Cancel();
        _transport.Input.CancelPendingRead();
    }
}
