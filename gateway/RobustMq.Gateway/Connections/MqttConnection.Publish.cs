using System.Buffers;
using Microsoft.Extensions.Logging;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Metrics;
using RobustMq.Gateway.Channel;
using RobustMq.Gateway.Metrics;
using RobustMq.Gateway.Routing;
using RobustMq.Gateway.Security;
using RobustMq.Protocol.Codec;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Connections;

/// <summary>Inbound PUBLISH and the acknowledgements of both directions.</summary>
public sealed partial class MqttConnection
{
    // PUBRELs waiting for their released state to be stored, in order (read loop only).
    private Task _pubRelTail = Task.CompletedTask;

    // QoS 0 messages' deliveries to other nodes still under way (read loop only).
    private List<Task>? _remoteQoS0;

    // This publisher's order across its deliveries to other nodes still under way (read loop only).
    private PublisherPipeline? _pipeline;

    // Created when first needed (idle connections stay small): inbound topic aliases and QoS 2 ids awaiting PUBREL.
    private InboundPublishState? _inbound;

    /// <summary>The inbound PUBLISH state, created at first use (after CONNECT has set the version).</summary>
    private InboundPublishState Inbound => _inbound ??= new InboundPublishState(_version, _services.Options);

    /// <summary>
    /// A PUBLISH decoded in place: its topic becomes a (cached) string and its payload is copied once into the
    /// message every subscriber shares, before anything is awaited (the frame points into the input buffer).
    /// </summary>
    private ValueTask HandlePublishAsync(PublishFrame frame)
    {
        if (!_connected)
        {
            // MQTT-3.1.0-1: the first packet must be CONNECT; MQTT-3.1.2-30: during an AUTH exchange, only AUTH or DISCONNECT.
            throw new MqttProtocolException(ReasonCode.ProtocolError, _authExchange is null ? "first packet is not CONNECT" : "PUBLISH during the authentication exchange");
        }

        InboundPublishState.CheckSentByClient(frame.Properties);
        _services.Metrics.MessagesReceived.Inc();
        _services.Metrics.PublishReceived((int)frame.QoS, frame.Retain);
        // Every PUBLISH counts towards Mqtt:MaxMessageRate, a QoS 2 resend too.
        _messageRate?.Take(1);
        var qos = frame.QoS;
        var verdict = Inbound.Receive(frame, out var topic);
        TraceInPublish(frame, topic);
        if (verdict == InboundVerdict.Duplicate)
        {
            // A resend of a QoS 2 message we already have (before PUBREL): acknowledge, do not deliver again.
            Acknowledge(qos, frame.PacketId, ReasonCode.Success);
            return ValueTask.CompletedTask;
        }

        if (OverloadLimits.TopicOver(topic, _services.Options.MaxTopicLength, _services.Options.MaxTopicLevels) is { } over)
        {
            // 0x90 on MQTT 5 (the name is well formed but not accepted here); 3.1.x has no way to say it.
            _services.Metrics.Overload(over);
            _services.Metrics.Dropped(DropReasons.TopicLimit);
            AcknowledgeWhenStored(qos, frame.PacketId, ReasonCode.TopicNameInvalid);
            return ValueTask.CompletedTask;
        }

        var decision = Acl.Check(AclAction.Publish, topic, ClientId!, _userName, _aclContext with { QoS = (int)qos, Retain = frame.Retain });
        _services.Metrics.AclDecided(BrokerMetrics.AclPublish, decision.Allowed);
        _services.Metrics.Topics.Find(topic)?.In((int)qos);

        if (!decision.Allowed)
        {
            _services.Metrics.Dropped(DropReasons.NotAuthorized);
            _services.Metrics.DroppedMessage(topic, (int)qos);
            if (_services.DisconnectOnDeniedPublish)
            {
                // Acl:DenyAction=disconnect: DISCONNECT 0x87 (MQTT 5), a plain close on 3.1.x.
                _endReason ??= $"publish to '{topic}' refused by the ACL (Acl:DenyAction=disconnect)";
                SendDisconnectAndClose(ReasonCode.NotAuthorized);
                return ValueTask.CompletedTask;
            }

            // Behind any PUBACK still waiting for its stores (MQTT 4.6).
            AcknowledgeWhenStored(qos, frame.PacketId, ReasonCode.NotAuthorized);
            return ValueTask.CompletedTask;
        }

        var message = MessageMapping.ToMessage(topic, frame.Payload.ToArray(), qos, frame.Retain, frame.Properties, ClientId, _services.Clock.GetUtcNow().ToUnixTimeMilliseconds());

        // QoS 1: persistent subscribers' copies are stored while this loop reads on (their writes group-commit
        // together); the PUBACK waits for them, in order (MqttConnection.Storage). QoS 2 waits here: its PUBREC also
        // records the packet id this loop checks for resends.
        // QoS 0: deliveries to other nodes go on without this loop waiting for them (_remoteQoS0, bounded below).
        var pendingStores = qos switch
        {
            QoS.AtLeastOnce => _pendingStores ??= [],
            QoS.AtMostOnce => _remoteQoS0 ??= [],
            _ => null,
        };
        var routed = _services.Router.PublishAsync(message, pendingStores, _pipeline ??= new PublisherPipeline(), _closed.Token);
        if (qos == QoS.ExactlyOnce && Volatile.Read(ref _queueSequence) != 0)
        {
            // A persistent session on a durable store keeps the packet id too, before the PUBREC (MqttConnection.Storage).
            return AcknowledgeExactlyOnceStoredAsync(routed, frame.PacketId, topic);
        }

        if (routed.IsCompletedSuccessfully)
        {
            AcknowledgeWhenStored(qos, frame.PacketId, Inbound.RoutedReason(routed.Result));
            return AcknowledgementsWithinLimit();
        }

        return AcknowledgeWhenRoutedAsync(routed, qos, frame.PacketId);
    }

    /// <summary>
    /// Back-pressure on a publisher whose PUBACKs wait for stores: with <c>Mqtt:ReceiveMaximum</c> of them waiting (an
    /// MQTT 5 client keeps within it anyway; MQTT 3.1.1 has no such limit), this read loop waits until they went out.
    /// </summary>
    private ValueTask AcknowledgementsWithinLimit() =>
        Volatile.Read(ref _waitingAcknowledgements) >= _services.Options.ReceiveMaximum ? new ValueTask(_ackTail) : RemoteQoS0WithinLimit();

    /// <summary>
    /// Back-pressure on a QoS 0 publisher whose messages go to other nodes: with <c>Mqtt:ReceiveMaximum</c> of their
    /// deliveries under way, this read loop waits for the oldest. One that failed is dropped and counted (QoS 0).
    /// </summary>
    private ValueTask RemoteQoS0WithinLimit()
    {
        var pending = _remoteQoS0;
        if (pending is null || pending.Count < _services.Options.ReceiveMaximum)
        {
            return ValueTask.CompletedTask;
        }

        PruneRemoteQoS0(pending);
        return pending.Count < _services.Options.ReceiveMaximum ? ValueTask.CompletedTask : new ValueTask(WaitRemoteQoS0Async(pending));
    }

    private async Task WaitRemoteQoS0Async(List<Task> pending)
    {
        while (pending.Count >= _services.Options.ReceiveMaximum)
        {
            await pending[0].ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            PruneRemoteQoS0(pending);
        }
    }

    /// <summary>Removes the deliveries that completed; those that failed are counted as dropped.</summary>
    private void PruneRemoteQoS0(List<Task> pending)
    {
        var kept = 0;
        for (var i = 0; i < pending.Count; i++)
        {
            var delivered = pending[i];
            if (!delivered.IsCompleted)
            {
                pending[kept++] = delivered;
            }
            else if (!delivered.IsCompletedSuccessfully)
            {
                RefuseNotStored(QoS.AtMostOnce, 0, NotStored(delivered.Exception?.InnerException ?? new TaskCanceledException(delivered)));
            }
        }

        pending.RemoveRange(kept, pending.Count - kept);
    }

    private async ValueTask AcknowledgeWhenRoutedAsync(ValueTask<int> routed, QoS qos, ushort packetId)
    {
        if (await RoutedOrRefusedAsync(routed, qos, packetId) is not { } matched)
        {
            return;
        }

        AcknowledgeWhenStored(qos, packetId, Inbound.RoutedReason(matched));
        await AcknowledgementsWithinLimit();
    }

    /// <summary>
    /// QoS 2 from a client whose session survives a crash: once the message is routed (and stored for every persistent
    /// subscriber that needs it), its packet id is stored as awaiting PUBREL, and only then does the PUBREC go out. After
    /// a crash the client resends the PUBLISH (DUP) if it saw no PUBREC, and the broker knows it as a resend if it did:
    /// nothing is lost, and the message is delivered twice only if the crash falls between the subscribers' stores and
    /// the id's (routing it before the id is stored never acknowledges a message that was not routed), or if the id's
    /// write failed (the PUBREC still reports success: the message was routed).
    /// </summary>
    private async ValueTask AcknowledgeExactlyOnceStoredAsync(ValueTask<int> routed, ushort packetId, string topic)
    {
        if (await RoutedOrRefusedAsync(routed, QoS.ExactlyOnce, packetId) is not { } matched)
        {
            return;
        }

        try
        {
            await _services.SessionStore.PutInboundAsync(ClientId!, topic, packetId);
        }
        catch (MessageNotStoredException ex)
        {
            // The message is routed and stored for its subscribers: refusing it now would have the client publish it
            // again. Its id is kept in memory only (a resend after a crash would be delivered again).
            LogNotStored(_services.Logger, Ref.ConnectionId, LogClientId, "storing an inbound QoS 2 packet id failed: " + ex.Message);
        }

        AcknowledgeWhenStored(QoS.ExactlyOnce, packetId, Inbound.RoutedReason(matched));
        await AcknowledgementsWithinLimit();
    }

    /// <summary>How many subscribers <paramref name="routed"/> reached; null when a copy could not be stored and the publish was refused.</summary>
    private async ValueTask<int?> RoutedOrRefusedAsync(ValueTask<int> routed, QoS qos, ushort packetId)
    {
        try
        {
            return await routed;
        }
        catch (MessageNotStoredException ex)
        {
            _pendingStores?.Clear();
            AfterEarlierAcknowledgements(() => RefuseNotStored(qos, packetId, ex));
            return null;
        }
    }

    /// <summary>
    /// A publish that could not be stored is not acknowledged as accepted (issue 10: nothing acknowledged is lost):
    /// MQTT 5 QoS 1/2 get PUBACK/PUBREC 0x97 Quota exceeded (store full) or 0x80; MQTT 3.1.x has no failure
    /// acknowledgement, so the connection is closed without one (the client resends after it reconnects). QoS 0 has
    /// nothing to refuse: the message is dropped and counted.
    /// </summary>
    private void RefuseNotStored(QoS qos, ushort packetId, MessageNotStoredException ex)
    {
        _services.Metrics.Dropped(DropReasons.NotStored);
        LogNotStored(_services.Logger, Ref.ConnectionId, LogClientId, ex.Message);
        if (qos == QoS.AtMostOnce)
        {
            return;
        }

        if (_version == MqttProtocolVersion.V500)
        {
            Acknowledge(qos, packetId, ex.Outcome == StoreOutcome.Full ? ReasonCode.QuotaExceeded : ReasonCode.UnspecifiedError);
            return;
        }

        _endReason ??= "closed by the server: a publish could not be stored";
        SendDisconnectAndClose(ReasonCode.UnspecifiedError);
    }

    private void Acknowledge(QoS qos, ushort packetId, ReasonCode reason)
    {
        if (Inbound.Acknowledge(qos, packetId, reason) is { } acknowledgement)
        {
            Send(acknowledgement);
        }
    }

    private void OnPubAck(PubAckPacket ack)
    {
        // A failed PUBACK (reason code 0x80 or more) refused the message: not measured for slow subscriptions.
        if (!Completed(ack.PacketId, delivered: (byte)ack.ReasonCode < 0x80))
        {
            _services.Metrics.PacketMissed(MqttPacketType.PubAck);
        }
    }

    private void OnPubRec(PubRecPacket rec)
    {
        if ((byte)rec.ReasonCode >= 0x80)
        {
            // A failed PUBREC ends the exchange (MQTT 4.3.3); the message was refused, not delivered: not a slow subscription's.
            Completed(rec.PacketId, delivered: false);
            return;
        }

        var known = _outbound.Received(rec.PacketId, out var released);
        if (!known)
        {
            _services.Metrics.PacketMissed(MqttPacketType.PubRec);
        }

        if (released is { StoreSequence: not 0 })
        {
            // Stored as released before the PUBREL goes: after a crash the PUBREL is resent, never the PUBLISH
            // (MQTT-4.3.3: the sender does not resend a PUBLISH once it sent PUBREL). The read loop does not wait.
            _pubRelTail = SendPubRelAfterAsync(_pubRelTail, _services.SessionStore.PutAsync(ClientId!, released), rec.PacketId, known);
        }
        else if (!_pubRelTail.IsCompleted)
        {
            _pubRelTail = SendPubRelAfterAsync(_pubRelTail, Task.CompletedTask, rec.PacketId, known);
        }
        else
        {
            SendPubRel(rec.PacketId, known);
        }
    }

    /// <summary>PUBREL in the order the PUBRECs came (MQTT 4.6), each once its released state is stored.</summary>
    private async Task SendPubRelAfterAsync(Task previous, Task stored, ushort packetId, bool known)
    {
        await previous;
        try
        {
            await stored;
        }
        catch (Exception ex)
        {
            // The PUBREL goes regardless (the client waits for it); after a crash the PUBLISH may be resent with DUP.
            LogStoreFailed(_services.Logger, ex, Ref.ConnectionId, LogClientId, "storing a released QoS 2 delivery");
        }

        SendPubRel(packetId, known);
    }

    private void SendPubRel(ushort packetId, bool known) => Send(new PubRelPacket
    {
        PacketId = packetId,
        ReasonCode = known ? ReasonCode.Success : ReasonCode.PacketIdentifierNotFound,
    });

    private void OnPubComp(PubCompPacket comp)
    {
        if (!Completed(comp.PacketId))
        {
            _services.Metrics.PacketMissed(MqttPacketType.PubComp);
        }
    }

    /// <summary>
    /// PUBACK, PUBCOMP or a failed PUBREC ends a delivery: its slot is free, its record goes; a <paramref name="delivered"/>
    /// one is measured for slow subscriptions. False when the packet id was not in flight.
    /// </summary>
    private bool Completed(ushort packetId, bool delivered = true)
    {
        if (_outbound.Complete(packetId, out var completed, out var acknowledged))
        {
            if (delivered && _services.SlowSubs.Enabled)
            {
                _services.SlowSubs.Acknowledged(ClientId, acknowledged.Topic, acknowledged.ArrivedAtUnixMs);
            }

            Unstore(completed);
            Ring();
            return true;
        }

        return false;
    }

    /// <summary>
    /// PUBREL → PUBCOMP. A session that stores its inbound QoS 2 ids forgets the id in storage first (known or not: a
    /// connection that was taken over may have stored it), so a new message that reuses the id after a crash is not
    /// taken for a resend. If that write fails, no PUBCOMP is sent and the connection closes: the client sends the
    /// PUBREL again when it reconnects.
    /// </summary>
    private ValueTask OnPubRel(PubRelPacket rel)
    {
        if (Volatile.Read(ref _queueSequence) == 0)
        {
            var comp = Inbound.Release(rel.PacketId);
            if (comp.ReasonCode == ReasonCode.PacketIdentifierNotFound)
            {
                _services.Metrics.PacketMissed(MqttPacketType.PubRel);
            }

            Send(comp);
            return ValueTask.CompletedTask;
        }

        return ReleaseStoredAsync(rel.PacketId);
    }

    private async ValueTask ReleaseStoredAsync(ushort packetId)
    {
        try
        {
            await _services.SessionStore.DeleteInboundAsync(ClientId!, packetId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogNotStored(_services.Logger, Ref.ConnectionId, LogClientId, "forgetting a released QoS 2 packet id failed: " + ex.Message);
            _endReason ??= "closed by the server: a released QoS 2 packet id could not be forgotten in storage";
            SendDisconnectAndClose(ReasonCode.UnspecifiedError);
            return;
        }

        Send(Inbound.Release(packetId));
    }

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Connection {ConnectionId} ({ClientId}): a publish was refused: {Detail}")]
    private static partial void LogNotStored(ILogger logger, long connectionId, string clientId, string detail);
}
