using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Metrics;
using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Security;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;
using RobustMq.Protocol.Topics;

namespace RobustMq.Gateway.Connections;

/// <summary>SUBSCRIBE (with retained messages after the SUBACK) and UNSUBSCRIBE.</summary>
public sealed partial class MqttConnection
{
    private async Task HandleSubscribeAsync(SubscribePacket subscribe)
    {
        var v5 = _version == MqttProtocolVersion.V500;
        var subscriptionId = 0u;
        if (subscribe.Properties?.SubscriptionIdentifiers is { Count: > 0 } ids)
        {
            subscriptionId = ids[0];
        }

        var codes = new byte[subscribe.Subscriptions.Count];
        var accepted = new List<(int Index, TopicSubscription Request, SubscriptionRecord Record)>(codes.Length);
        for (var i = 0; i < codes.Length; i++)
        {
            var request = subscribe.Subscriptions[i];
            var code = Admit(request, v5);
            codes[i] = code;
            if (code <= 2)
            {
                var checkRead = NeedsReadCheck(request.Filter);
                var record = new SubscriptionRecord(
                    request.Filter, code, request.NoLocal, request.RetainAsPublished, (byte)request.RetainHandling, subscriptionId,
                    checkRead, checkRead ? _userName : null);
                accepted.Add((i, request, record));
            }
        }

        bool[] existed = [];
        if (accepted.Count > 0)
        {
            var records = new SubscriptionRecord[accepted.Count];
            for (var i = 0; i < records.Length; i++)
            {
                records[i] = accepted[i].Record;
            }

            // Deliver from this node at once: a PUBLISH that reaches this node after the SUBSCRIBE finds the
            // route even before the shards have pushed it (they push the same entry; the cache ignores it).
            var local = new RouteChange[records.Length];
            for (var i = 0; i < records.Length; i++)
            {
                local[i] = new RouteChange(true, RouteEntry.For(records[i], ClientId!, Ref.Node));
            }

            _services.Routes.Apply(local);
            try
            {
                existed = await SubscribeSessionAsync(records);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogGrainCallFailed(_services.Logger, ex, Ref.ConnectionId, LogClientId, "subscribe");
                for (var i = 0; i < local.Length; i++)
                {
                    local[i] = local[i] with { Add = false };
                }

                _services.Routes.Apply(local);
                foreach (var (index, _, _) in accepted)
                {
                    codes[index] = (byte)ReasonCode.UnspecifiedError;
                }

                accepted.Clear();
            }
        }

        Send(new SubAckPacket { PacketId = subscribe.PacketId, ReasonCodes = [.. codes] });
        for (var i = 0; i < accepted.Count; i++)
        {
            var (_, request, record) = accepted[i];
            var send = request.RetainHandling switch
            {
                RetainHandling.SendAtSubscribe => true,
                RetainHandling.SendAtSubscribeIfNew => !existed[i],
                _ => false,
            };

            // Retained messages are not sent for a shared subscription (MQTT 5, 4.8.2).
            if (send && !SharedSubscription.IsShared(request.Filter))
            {
                await SendRetainedAsync(record);
            }
        }
    }

    /// <summary>Check one filter: returns the granted QoS or a failure reason code.</summary>
    private byte Admit(TopicSubscription request, bool v5)
    {
        var filter = request.Filter;
        var failure = v5 ? (byte)ReasonCode.TopicFilterInvalid : (byte)0x80;
        if (SharedSubscription.IsShared(filter))
        {
            if (!SharedSubscription.TryParse(filter, out var shared))
            {
                return failure;
            }

            if (request.NoLocal)
            {
                // MQTT-3.8.3-4: No Local on a shared subscription is a protocol error.
                throw new MqttProtocolException(ReasonCode.ProtocolError, "no local on a shared subscription");
            }

            filter = shared.Filter;
        }
        else if (!TopicValidator.IsValidTopicFilter(filter))
        {
            return failure;
        }

        var decision = _services.Acl.Check(AclAction.Subscribe, filter, ClientId!, _userName);
        if (!decision.Allowed)
        {
            return v5 ? decision.ReasonCode : (byte)0x80;
        }

        return (byte)Math.Min((int)request.QoS, _services.Options.MaximumQoS);
    }

    /// <summary>
    /// Decided once per subscription: whether the ACL could refuse some topic of this allowed filter to this client
    /// (<c>deny subscribe secret/#</c> and <c>#</c>), so that each of its messages is checked before delivery.
    /// </summary>
    private bool NeedsReadCheck(string filter)
    {
        var inner = SharedSubscription.TryParse(filter, out var shared) ? shared.Filter : filter;
        return _services.Acl.NeedsReadCheck(inner, ClientId!, _userName);
    }

    /// <summary>
    /// A resumed session's queued messages, less those this client may not read: they were checked for the reader
    /// that subscribed, and the session may now be resumed under another user name. Only clients that some
    /// subscribe-deny rule (or default deny) can reach pay a check, once per message on reconnect.
    /// </summary>
    private PendingMessage[] Readable(PendingMessage[] pending)
    {
        if (pending.Length == 0 || !_services.Acl.MayRefuseReads(ClientId!, _userName))
        {
            return pending;
        }

        var kept = new List<PendingMessage>(pending.Length);
        foreach (var message in pending)
        {
            if (_services.Acl.MayReceive(message.Message.Topic, ClientId!, _userName))
            {
                kept.Add(message);
            }
            else
            {
                _services.Metrics.Dropped(DropReasons.NotAuthorized);
                Unstore(message);
            }
        }

        return kept.Count == pending.Length ? pending : [.. kept];
    }

    /// <summary>
    /// <see cref="Readable"/> for one message handed on from a connection of this session that was taken over (its
    /// reader may have had another user name); a refused one is counted as dropped.
    /// </summary>
    private bool MayRead(PendingMessage message)
    {
        if (!_services.Acl.MayRefuseReads(ClientId!, _userName) || _services.Acl.MayReceive(message.Message.Topic, ClientId!, _userName))
        {
            return true;
        }

        _services.Metrics.Dropped(DropReasons.NotAuthorized);
        return false;
    }

    private async Task SendRetainedAsync(SubscriptionRecord record)
    {
        BrokerMessage[][] found;
        try
        {
            found = await _services.Retained.MatchAsync(record.Filter).WaitAsync(_services.GrainTimeout, _closed.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogGrainCallFailed(_services.Logger, ex, Ref.ConnectionId, LogClientId, "retained lookup");
            return;
        }

        var ids = record.SubscriptionId == 0 ? null : new[] { record.SubscriptionId };
        foreach (var shard in found)
        {
            foreach (var message in shard)
            {
                if (record.CheckRead && !_services.Acl.MayReceive(message.Topic, ClientId!, record.UserName))
                {
                    _services.Metrics.Dropped(DropReasons.NotAuthorized); // a retained topic this client may not subscribe to
                    continue;
                }

                // MQTT-3.3.1-9: messages sent because of a new subscription carry RETAIN 1.
                TryDeliver(new PendingMessage(message, Math.Min(message.QoS, record.QoS), true, ids), out var stored);
                if (!stored.IsCompletedSuccessfully)
                {
                    // No publisher waits for a retained copy; the retained store keeps the message regardless.
                    _ = LogIfFailedAsync(stored, "storing a retained message's delivery");
                }
            }
        }
    }

    private async Task HandleUnsubscribeAsync(UnsubscribePacket unsubscribe)
    {
        var codes = new byte[unsubscribe.Filters.Count];
        foreach (var filter in unsubscribe.Filters)
        {
            // Stop delivering here at once; the session removes the routes everywhere next.
            if (SharedSubscription.TryParse(filter, out var shared))
            {
                _services.Routes.RemoveClient(shared.Filter, ClientId!, shared.Group);
            }
            else
            {
                _services.Routes.RemoveClient(filter, ClientId!, null);
            }
        }

        try
        {
            var existed = await UnsubscribeSessionAsync([.. unsubscribe.Filters]);
            for (var i = 0; i < codes.Length; i++)
            {
                codes[i] = existed[i] ? (byte)ReasonCode.Success : (byte)ReasonCode.NoSubscriptionExisted;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogGrainCallFailed(_services.Logger, ex, Ref.ConnectionId, LogClientId, "unsubscribe");
            Array.Fill(codes, (byte)ReasonCode.UnspecifiedError);
        }

        Send(new UnsubAckPacket { PacketId = unsubscribe.PacketId, ReasonCodes = [.. codes] });
        for (var i = 0; i < codes.Length; i++)
        {
            // Left a shared subscription: what it had queued here and not sent goes to another member (MQTT 5 4.8.2);
            // what is in flight is completed with this client (MQTT-3.10.4-3).
            if (codes[i] == (byte)ReasonCode.Success && SharedSubscription.TryParse(unsubscribe.Filters[i], out var left))
            {
                var unsent = _outbound.TakeUnsent(left.Group, left.Filter);
                foreach (var message in unsent)
                {
                    // Another member gets it (and stores it if it needs to): this session's record goes.
                    Unstore(message);
                }

                await HandOnOwedAsync(unsent);
            }
        }
    }
}
