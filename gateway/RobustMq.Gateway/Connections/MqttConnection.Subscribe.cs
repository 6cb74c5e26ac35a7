using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Metrics;
using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Channel;
using RobustMq.Gateway.Metrics;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Topics;

namespace RobustMq.Gateway.Connections;

/// <summary>SUBSCRIBE (with retained messages after the SUBACK) and UNSUBSCRIBE.</summary>
public sealed partial class MqttConnection
{
    private Task HandleSubscribeAsync(SubscribePacket subscribe) => SubscribeAsync(subscribe, reply: true);

    /// <summary>A SUBSCRIBE, the client's (<paramref name="reply"/>: a SUBACK goes back) or an operator's on its behalf; returns the SUBACK's reason codes.</summary>
    private async Task<byte[]> SubscribeAsync(SubscribePacket subscribe, bool reply)
    {
        var decision = SubscribeDecisions.Decide(subscribe, _version, _services.Options, Acl, ClientId!, _userName, Volatile.Read(ref _subscribed), _aclContext);
        _services.Metrics.AclDecided(BrokerMetrics.AclSubscribe, decision.AclAllowed, decision.AclDenied);
        foreach (var limit in decision.LimitsHit)
        {
            _services.Metrics.Overload(limit);
        }

        var records = decision.Accepted;
        bool[] existed = [];
        if (records.Length > 0)
        {
            // Deliver from this node at once: a PUBLISH that reaches this node after the SUBSCRIBE finds the
            // route even before the shards have pushed it (they push the same entry; the cache ignores it).
            var local = new RouteChange[records.Length];
            for (var i = 0; i < records.Length; i++)
            {
                local[i] = new RouteChange(true, Routes!.Route(records[i], Ref.Node));
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
                decision = decision.SessionFailed();
                records = decision.Accepted;
            }
        }

        if (reply)
        {
            Send(new SubAckPacket { PacketId = subscribe.PacketId, ReasonCodes = [.. decision.ReasonCodes] });
        }

        foreach (var record in records)
        {
            _services.SysEvents.Subscribed(this, record);
        }

        List<SubscriptionRecord>? retainedFor = null;
        for (var i = 0; i < records.Length; i++)
        {
            if (SubscribeDecisions.SendsRetained(records[i], existed[i]))
            {
                (retainedFor ??= []).Add(records[i]);
            }
        }

        if (retainedFor is not null)
        {
            await SendRetainedAsync(retainedFor);
        }

        return decision.ReasonCodes;
    }

    /// <summary>
    /// A resumed session's queued messages, less those this client may not read: they were checked for the reader
    /// that subscribed, and the session may now be resumed under another user name. Only clients that some
    /// subscribe-deny rule (or default deny) can reach pay a check, once per message on reconnect.
    /// </summary>
    private PendingMessage[] Readable(PendingMessage[] pending)
    {
        if (pending.Length == 0 || !Acl.MayRefuseReads(ClientId!, _userName))
        {
            return pending;
        }

        var kept = new List<PendingMessage>(pending.Length);
        foreach (var message in pending)
        {
            if (Acl.MayReceive(message.Message.Topic, ClientId!, _userName, _aclContext))
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
        if (!Acl.MayRefuseReads(ClientId!, _userName) || Acl.MayReceive(message.Message.Topic, ClientId!, _userName, _aclContext))
        {
            return true;
        }

        _services.Metrics.Dropped(DropReasons.NotAuthorized);
        return false;
    }

    /// <summary>The retained messages of new subscriptions (one SUBSCRIBE's, looked up together), after the SUBACK.</summary>
    private async Task SendRetainedAsync(List<SubscriptionRecord> records)
    {
        var filters = new string[records.Count];
        for (var i = 0; i < filters.Length; i++)
        {
            filters[i] = records[i].Filter;
        }

        IReadOnlyList<BrokerMessage>[] found;
        try
        {
            found = await _services.Retained.MatchManyAsync(filters).WaitAsync(_services.GrainTimeout, _closed.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogGrainCallFailed(_services.Logger, ex, Ref.ConnectionId, LogClientId, "retained lookup");
            return;
        }

        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var ids = record.SubscriptionId == 0 ? null : new[] { record.SubscriptionId };
            foreach (var message in found[i])
            {
                if (record.CheckRead && !Acl.MayReceive(message.Topic, ClientId!, record.UserName, _aclContext.ForSubscription(record.QoS)))
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

    private Task HandleUnsubscribeAsync(UnsubscribePacket unsubscribe) => UnsubscribeAsync(unsubscribe, reply: true);

    /// <summary>An UNSUBSCRIBE, the client's (<paramref name="reply"/>: an UNSUBACK goes back) or an operator's on its behalf; returns the UNSUBACK's reason codes.</summary>
    private async Task<byte[]> UnsubscribeAsync(UnsubscribePacket unsubscribe, bool reply)
    {
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

        byte[] codes;
        try
        {
            codes = SubscribeDecisions.UnsubAckCodes(await UnsubscribeSessionAsync([.. unsubscribe.Filters]));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogGrainCallFailed(_services.Logger, ex, Ref.ConnectionId, LogClientId, "unsubscribe");
            codes = SubscribeDecisions.UnsubAckFailed(unsubscribe.Filters.Count);
        }

        if (reply)
        {
            Send(new UnsubAckPacket { PacketId = unsubscribe.PacketId, ReasonCodes = [.. codes] });
        }

        for (var i = 0; i < codes.Length; i++)
        {
            if (codes[i] == 0)
            {
                _services.SysEvents.Unsubscribed(this, unsubscribe.Filters[i]);
            }

            if (SubscribeDecisions.LeftSharedSubscription(unsubscribe.Filters[i], codes[i], out var left))
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

        return codes;
    }
}
