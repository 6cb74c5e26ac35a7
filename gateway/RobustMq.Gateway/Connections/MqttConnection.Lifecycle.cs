using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using RobustMq.Abstractions.Metrics;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Channel;
using RobustMq.Protocol;
using RobustMq.Protocol.Codec;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Connections;

/// <summary>The write loop and the end of a connection.</summary>
public sealed partial class MqttConnection
{
    private volatile bool _closeAfterFlush;

    private async Task WriteLoopAsync()
    {
        var output = _transport.Output;
        var inARow = default(InARow);
        try
        {
            while (true)
            {
                var rung = _doorbell.WaitAsync();
                if (inARow.ShouldYield(rung.IsCompleted))
                {
                    // Rung again and again (a subscriber of busy publishers): a socket event thread that woke this
                    // loop is not kept from its other sockets; the loop goes on on the pool.
                    await Task.Yield();
                }

                if (!await rung)
                {
                    break;
                }

                if (!await WriteQueuedAsync(output))
                {
                    break;
                }

                if (_closeAfterFlush)
                {
                    // A close queues its DISCONNECT before it sets the flag, possibly after the drain above: one more
                    // pass sends it.
                    await WriteQueuedAsync(output);
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            LogTransportClosed(_services.Logger, ex, Ref.ConnectionId, LogClientId);
        }
        catch (Exception ex)
        {
            // A bug, not the network: this connection ends (the read loop stops below), the broker goes on.
            LogConnectionFailed(_services.Logger, ex, Ref.ConnectionId, LogClientId);
        }
        finally
        {
            SignalClosed();
        }
    }

    /// <summary>Writes what is queued and flushes it; false when the transport will take no more.</summary>
    private async ValueTask<bool> WriteQueuedAsync(System.IO.Pipelines.PipeWriter output)
    {
        var batch = OutBatchPool.Rent();
        List<PendingMessage>? expiredStored = null;
        var expired = _outbound.Drain(batch, _services.Clock.GetUtcNow().ToUnixTimeMilliseconds(), ref expiredStored);
        _services.Metrics.Dropped(DropReasons.Expired, expired);
        if (expiredStored is not null)
        {
            foreach (var message in expiredStored)
            {
                Unstore(message);
            }
        }

        long bytes = 0;
        foreach (var item in batch)
        {
            bytes += WriteItem(output, item);
        }

        var wrote = batch.Count > 0;
        OutBatchPool.Return(batch);
        if (!wrote)
        {
            return true;
        }

        _services.Metrics.BytesSent.Inc(bytes);
        if (_storesBeforeFlush is not null)
        {
            // QoS 2 deliveries of a persistent session are stored with their packet ids before the client sees them.
            if (!await AwaitStoresBeforeFlushAsync())
            {
                _endReason ??= "closed by the server: a QoS 2 delivery's packet id could not be stored";
                _aborted = true;
                Abort();
                return false;
            }
        }

        var flush = await output.FlushAsync();
        return !flush.IsCompleted && !flush.IsCanceled;
    }

    private long WriteItem(System.IO.Pipelines.PipeWriter output, OutItem item)
    {
        if (item.Control is { } control)
        {
            MqttPacketWriter.Write(output, control, _version);
            TraceOut(control);
            _services.Metrics.PacketSent(control.Type);
            return MqttPacketWriter.GetPacketSize(control, _version);
        }

        return WriteDelivery(output, item);
    }

    private async Task EndAsync(Task writer)
    {
        _closing = true;
        // Ended before its session was attached: publishers waiting for what came meanwhile are refused.
        FailAttach();
        _doorbell.Complete();
        try
        {
            await writer.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // The client stopped reading and the final flush cannot finish: cut the transport off, which fails that
            // flush, and let the write loop end before the output is completed below (a pipe writer has one user).
            _aborted = true;
            _abort();
            await writer.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_takenOver && !_inputEnded && !_aborted)
        {
            ApplyUnreadDisconnect();
        }

        if (_clean is null)
        {
            // Deliveries for the client id go to the session from now on; a takeover still finds this connection and
            // waits until it has let go of the session (ReleaseSessionAsync).
            _services.Registry.ForgetClient(this);
        }

        try
        {
            // The last packet is out: the client sees the end of the stream now (TCP FIN, TLS close_notify, WebSocket
            // Close), not once the session is handed back or the input drained (MQTT-3.1.0-2, MQTT-3.14.4-1).
            await CloseOutputAsync();
        }
        finally
        {
            try
            {
                // However the close went, the session gets its unacknowledged messages back.
                await ReleaseSessionAsync();
            }
            finally
            {
                // A takeover or a shutdown waits for this, never for the drain below.
                (Interlocked.CompareExchange(ref _handBack, GrainTakesHandBack, null) as TaskCompletionSource<DisconnectRequest?>)?.TrySetResult(null);
                _handedBack.TrySetResult();
            }
        }

        if (!_inputEnded && !_aborted)
        {
            // Closed by the server while the client may still be sending: closing a socket with unread bytes makes
            // TCP reset it, and the client could lose the DISCONNECT it was sent.
            await DrainInputAsync();
        }

        try
        {
            await _transport.Input.CompleteAsync();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // The transport was cut off.
        }
    }

    /// <summary>
    /// A takeover's CONNECT can be handled before this connection read the last packets its client sent on it: a client
    /// that sends DISCONNECT and connects again at once. A DISCONNECT among what arrived (read now, without waiting)
    /// still decides how the session is handed back: its Session Expiry Interval (0 ends the session, MQTT 5
    /// 3.1.2.11.2) and whether the will goes (0x00 discards it, MQTT-3.1.2-10). What came before it is not handled: the
    /// session is taken over already.
    /// </summary>
    private void ApplyUnreadDisconnect()
    {
        var input = _transport.Input;
        (input as Listeners.SocketReader)?.ReceiveAvailable();
        if (!input.TryRead(out var result))
        {
            return;
        }

        var buffer = result.Buffer;
        try
        {
            var limits = new DecoderLimits(_version, (uint)_services.Options.MaxPacketSize);
            while (MqttPacketReader.TryReadFrame(ref buffer, limits, out var packet, out _))
            {
                if (packet is DisconnectPacket disconnect)
                {
                    ApplyClientDisconnect(disconnect, afterTakeover: true);
                    break;
                }
            }
        }
        catch (MqttProtocolException)
        {
            // Bad input after the takeover: the session is handed back as taken over.
        }
        finally
        {
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Hands the session back: a clean session ends here, a grain-served one goes back to its grain.</summary>
    private async Task ReleaseSessionAsync()
    {
        if (!_connected || ClientId is null)
        {
            MarkReleased();
            if (_clean is not null && ClientId is { } claimed)
            {
                // Claimed the id but never got to CONNACK.
                await EndCleanSessionAsync(_clean, claimed);
            }

            _services.Registry.Forget(this);
            return;
        }

        _services.Metrics.ConnectionsCurrent.Dec();
        LogClientDisconnected(ClientId);
        _services.SysEvents.Disconnected(this, _endReason);
        if (_clean is { } clean)
        {
            _services.Metrics.SessionsDeleted.Inc();
            // Clean session: what was queued or in flight ends with it (the session ends, MQTT 4.1), except what came
            // through a shared subscription, which goes to another member once this one's routes are gone (4.8.2).
            // It stays registered until it has let go of its routes: a connection taking its client id over
            // meanwhile finds it and waits for that (ConnectionRegistry.CloseAsync).
            var (owed, _) = _outbound.Close();
            await EndCleanSessionAsync(clean, ClientId);
            await HandOnOwedAsync(owed);
            _services.Registry.Forget(this);
            return;
        }

        MarkReleased();
        var (unacked, pubrel) = _outbound.Close();
        for (var i = 0; i < unacked.Length; i++)
        {
            // Checked for this connection's reader; if the session was taken over, the grain hands them on at once to
            // a connection that may serve another user name (TryDeliver checks them again).
            unacked[i] = unacked[i] with { HandedOn = true };
        }

        var request = new DisconnectRequest(Ref, _endKind, unacked, pubrel, _inbound?.AwaitingRelease ?? [], _expiryOnDisconnect);
        if (Interlocked.CompareExchange(ref _handBack, request, null) is TaskCompletionSource<DisconnectRequest?> takeover
            && takeover.TrySetResult(request))
        {
            // The CONNECT that took the session over takes what this connection owed (TakeOver), with the packet ids.
            _services.Registry.Forget(this);
            return;
        }

        try
        {
            // A CONNECT that takes the session over meanwhile finds this connection still (it is forgotten only once
            // the grain has the hand-back) and takes the same request (TakeOver): the grain leaves out of this call
            // what that CONNECT took, whichever of the two it serves first.
            await _services.Grains.GetGrain<ISessionGrain>(ClientId).Disconnect(request).WaitAsync(_services.GrainTimeout);
        }
        catch (Exception ex)
        {
            LogSessionDisconnectFailed(_services.Logger, ex, ClientId);
        }
        finally
        {
            _services.Registry.Forget(this);
        }
    }

    /// <summary>
    /// Completes the output (what was flushed is sent) and half-closes the transport, so the client reads the end of
    /// the stream at once; the input stays open for the drain. No abort, which would reset the connection and could
    /// lose the DISCONNECT just written.
    /// </summary>
    private async Task CloseOutputAsync()
    {
        try
        {
            await _transport.Output.CompleteAsync();
            if (!_aborted)
            {
                await _closeOutput().AsTask().WaitAsync(OutputCloseTimeout);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException or TimeoutException
            or System.Net.Sockets.SocketException or System.Net.WebSockets.WebSocketException or System.Security.Authentication.AuthenticationException)
        {
            // The transport was cut off; what was not flushed is lost with it.
        }
        catch (Exception ex)
        {
            // The boundary of the transport's close (SslStream.ShutdownAsync and the like may throw anything): the
            // connection still ends normally and hands its session back (EndAsync).
            LogCloseOutputFailed(_services.Logger, ex, Ref.ConnectionId, LogClientId);
        }
    }

    /// <summary>
    /// After a close from the server, read and discard what the client is still sending for a moment, until it
    /// closes its side too: closing with unread bytes makes TCP reset the connection, and the client would lose
    /// the reason code. Nothing waits for this but the listener's socket.
    /// </summary>
    private async Task DrainInputAsync()
    {
        using var grace = new CancellationTokenSource(DrainGrace);
        try
        {
            while (true)
            {
                var result = await _transport.Input.ReadAsync(grace.Token);
                _transport.Input.AdvanceTo(result.Buffer.End);

                // IsCanceled here is the read loop's stop signal (SignalClosed), already acted on: keep draining.
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException or ConnectionResetException or ObjectDisposedException)
        {
            // Grace period over, or the client is gone.
        }
    }

    private static readonly TimeSpan OutputCloseTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(2);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Connection {ConnectionId} ({ClientId}) transport closed")]
    private static partial void LogTransportClosed(ILogger logger, Exception ex, long connectionId, string clientId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Connection {ConnectionId} ({ClientId}) failed")]
    private static partial void LogConnectionFailed(ILogger logger, Exception ex, long connectionId, string clientId);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Connection {ConnectionId} ({ClientId}) closed for bad input: {Reason} {Detail}")]
    private static partial void LogProtocolError(ILogger logger, long connectionId, string clientId, ReasonCode reason, string detail);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Handing the session of {ClientId} back failed")]
    private static partial void LogSessionDisconnectFailed(ILogger logger, Exception ex, string clientId);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Connection {ConnectionId} ({ClientId}) did not drain its queue within {TimeoutMs} ms; it no longer holds publishers back")]
    private static partial void LogSlowSubscriber(ILogger logger, long connectionId, string clientId, int timeoutMs);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "Connection {ConnectionId} ({ClientId}): closing the transport's output failed")]
    private static partial void LogCloseOutputFailed(ILogger logger, Exception ex, long connectionId, string clientId);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Connection {ConnectionId} ({ClientId}): {Operation} failed")]
    private static partial void LogGrainCallFailed(ILogger logger, Exception ex, long connectionId, string clientId, string operation);
}
