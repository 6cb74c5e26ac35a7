using Microsoft.Extensions.Logging;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Metrics;
using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Storage;
using RobustMq.Storage;

namespace RobustMq.Grains.Sessions;

/// <summary>Subscriptions, their routes, and the offline queue.</summary>
public sealed partial class SessionGrain
{
    private SessionRoutes? _routes;

    /// <summary>Owed messages to hand on once the current call has returned (see <see cref="HandOnAfterThisCall"/>).</summary>
    private List<PendingMessage>? _handOnLater;
    private IGrainTimer? _handOnTimer;

    private SessionRoutes Routes => _routes ??= new SessionRoutes(GrainFactory, shardWriter, ClientId, _state.Subscriptions, persistent: true);

    public async Task<bool[]> Subscribe(ConnectionRef connection, SubscriptionRecord[] subscriptions)
    {
        if (IsStale(connection))
        {
            return new bool[subscriptions.Length];
        }

        var existed = await Routes.SubscribeAsync(_state.Node ?? connection.Node, subscriptions);
        await Persist(() => _state.SaveSubscriptions(subscriptions, []));
        KeepWhileNeeded();
        return existed;
    }

    public async Task<bool[]> Unsubscribe(ConnectionRef connection, string[] filters)
    {
        if (IsStale(connection))
        {
            return new bool[filters.Length];
        }

        var existed = await Routes.UnsubscribeAsync(_state.Node ?? connection.Node, filters);
        await Persist(() => _state.SaveSubscriptions([], filters.Where((_, i) => existed[i])));
        KeepWhileNeeded();
        return existed;
    }

    /// <summary>
    /// Whether a SUBSCRIBE or UNSUBSCRIBE comes from a connection that no longer holds this session: the session was
    /// ended (a delete, <see cref="Discard"/>) or taken over while the packet was on its way. It changes nothing then (no
    /// route, no stored subscription): that connection is being closed.
    /// </summary>
    private bool IsStale(ConnectionRef connection) => !_state.Exists || _state.Connection != connection;

    public async Task<StoreOutcome> Enqueue(PendingMessage[] messages)
    {
        if (messages.Length == 0 || !_state.Exists)
        {
            if (!_state.Exists)
            {
                // Deliveries for a clean session that just ended: nothing to keep, nothing to stay active for; what
                // came through a shared subscription goes to another member.
                DeactivateOnIdle();
                await HandOnOwed(messages);
            }

            return StoreOutcome.Stored;
        }

        try
        {
            if (_state.Connection is { } first)
            {
                var undelivered = new List<NodeDelivery>(messages.Length);
                foreach (var message in messages)
                {
                    undelivered.Add(new NodeDelivery(ClientId, message));
                }

                // Enqueue interleaves with Connect: while a call to the old connection's node was out, a CONNECT may have
                // attached a new connection. What the old one did not take goes to the new one then, not to the queue
                // (queued now, it would wait for the client's next return while its client is connected).
                for (var connection = first; ; )
                {
                    undelivered = await DeliverToConnection(connection, undelivered);
                    if (undelivered.Count == 0 || _state.Connection is not { } current || current == connection)
                    {
                        break;
                    }

                    connection = current;
                }

                await Persist(
                    () =>
                    {
                        foreach (var item in undelivered)
                        {
                            Queue(item.Message);
                        }
                    },
                    record: false);
                KeepWhileNeeded();
                return StoreOutcome.Stored;
            }

            await Persist(
                () =>
                {
                    foreach (var message in messages)
                    {
                        if (message.QoS == 0 && !options.Value.QueueQoS0Messages)
                        {
                            drops.Dropped(DropReasons.QoS0Offline, 1);
                            continue;
                        }

                        Queue(message);
                    }
                },
                record: false);
            return StoreOutcome.Stored;
        }
        catch (StorageException ex)
        {
            // Queued in memory but not stored: the publisher is not acknowledged (it sends again), and the client may
            // get the message without that guarantee if it returns before a restart.
            LogQueueNotStored(logger, ex, ClientId, messages.Length);
            return SessionQueue.OutcomeOf(ex);
        }
    }

    public async Task<StoreOutcome> EnqueueAgain(PendingMessage[] messages) => await Enqueue(await NotTaken(messages));

    /// <summary>
    /// Of messages that may have reached this session or its connection already: those it does not have. A message is
    /// known by <see cref="SessionState.DeliveryKey"/> in the queue, in every queue record of the session (its
    /// connections' included: a connection stores each delivery it takes), and among those recovered from a dead
    /// connection's records (<see cref="SessionState.HasRecovered"/>: acknowledged since, their records are gone). QoS 0
    /// ones are dropped (at most once). Scans the session's records: for the failure path only. A copy a live
    /// connection took and its client acknowledged (its record deleted) before this runs is not known, and comes again.
    /// </summary>
    private async Task<PendingMessage[]> NotTaken(PendingMessage[] messages)
    {
        var held = new HashSet<(Guid, string?, string?)>();
        foreach (var message in _state.Queue)
        {
            held.Add(SessionState.DeliveryKey(message));
        }

        if (_state.QueueKeyPrefix is { } prefix)
        {
            await foreach (var entry in Store.ScanAsync(SessionQueue.Space, prefix))
            {
                held.Add(SessionState.DeliveryKey(PendingRecord.Decode(entry.Value)));
            }
        }

        var kept = new List<PendingMessage>(messages.Length);
        foreach (var message in messages)
        {
            if (message.QoS == 0)
            {
                drops.Dropped(DropReasons.NodeUnreachable, 1);
            }
            else if (message.Message.MessageId == Guid.Empty
                || (!_state.HasRecovered(message) && !held.Contains(SessionState.DeliveryKey(message))))
            {
                kept.Add(message);
            }
        }

        return [.. kept];
    }

    /// <summary>True when membership has declared the node (a node name) dead.</summary>
    private bool IsDead(string node) => StatusOf(node) == SiloStatus.Dead;

    /// <summary>The node's (a node name's) status in this silo's membership view (None: not there); null when it is not a node name.</summary>
    private SiloStatus? StatusOf(string node)
    {
        try
        {
            return membership.CurrentSnapshot.GetSiloStatus(SiloAddress.FromParsableString(node));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private void Queue(PendingMessage message)
    {
        if (_state.Add(message, options.Value) is not null)
        {
            drops.Dropped(DropReasons.QueueFull, 1);
        }
    }

    /// <summary>
    /// The session ended (or never existed) owing these: shared subscriptions' messages go to another member of their
    /// group (MQTT 5 section 4.8.2), the rest are counted as dropped.
    /// </summary>
    private async Task HandOnOwed(PendingMessage[] owed)
    {
        if (owed.Length == 0)
        {
            return;
        }

        try
        {
            await router.HandOnOwedAsync(ClientId, owed);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogHandOnFailed(logger, ex, ClientId, owed.Length);
        }
    }

    /// <summary>
    /// Hand these on once the current call has returned: a grain timer due at once, so on this activation's scheduler
    /// (never on another thread beside the grain's calls); anything still waiting when the grain deactivates is handed
    /// on then.
    /// </summary>
    private void HandOnAfterThisCall(PendingMessage[] owed)
    {
        if (owed.Length == 0)
        {
            return;
        }

        (_handOnLater ??= []).AddRange(owed);
        // Interleave: the hand-on reads no session state (it only calls the router), so the new connection's SUBSCRIBE
        // or DISCONNECT need not wait behind a slow member; the fields here are touched only before its first await.
        _handOnTimer ??= this.RegisterGrainTimer(
            OnHandOnDue, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = true });
    }

    private async Task OnHandOnDue(CancellationToken cancellationToken)
    {
        _handOnTimer?.Dispose();
        _handOnTimer = null;
        await HandOnWaiting();
        KeepWhileNeeded();
    }

    private async Task HandOnWaiting()
    {
        if (_handOnLater is { } waiting)
        {
            _handOnLater = null;
            await HandOnOwed([.. waiting]);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A timer that has not fired yet does not fire after this: what it was to hand on goes now.
        _handOnTimer?.Dispose();
        _handOnTimer = null;
        await HandOnWaiting();
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Storing {Count} messages for the session of {ClientId} failed; their publishers are not acknowledged")]
    private static partial void LogQueueNotStored(ILogger logger, Exception ex, string clientId, int count);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "The connection of {ClientId} on {Node} could not be reached; {Count} messages go to the client's next connection")]
    private static partial void LogConnectionNodeUnreachable(ILogger logger, Exception exception, string clientId, string node, int count);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Handing on {Count} messages owed to the ended session of {ClientId} failed")]
    private static partial void LogHandOnFailed(ILogger logger, Exception ex, string clientId, int count);

    private async Task RemoveAllRoutes()
    {
        if (_state.Node is { } node)
        {
            await Routes.RemoveAllAsync(node);
        }
    }

    private Task MoveRoutes(string oldNode, string newNode) => Routes.MoveAsync(oldNode, newNode);

    /// <summary>
    /// Hands <paramref name="batch"/> to <paramref name="connection"/>; returns what its node reports not connected there
    /// (all of it when the node cannot be reached: killed, its client comes back on another node). The connection stores
    /// what it takes.
    /// </summary>
    /// <exception cref="MessageNotStoredException">The connection could not store a copy: the publisher is not acknowledged.</exception>
    private async Task<List<NodeDelivery>> DeliverToConnection(ConnectionRef connection, List<NodeDelivery> batch)
    {
        NodeDeliveryResult[] results;
        try
        {
            results = await GrainFactory.GetGrain<INodeDispatcherGrain>(connection.Node).Deliver([.. batch]);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && (NodeCalls.NeverRan(ex) || IsDead(connection.Node)))
        {
            // Never sent there, or its node was declared dead. Any other failure fails the Enqueue: its publisher is not
            // acknowledged.
            LogConnectionNodeUnreachable(logger, ex, ClientId, connection.Node, batch.Count);
            if (NodeCalls.NeverRan(ex))
            {
                return batch;
            }

            // The node died with the call in flight: what the connection took, it stored (its records come back when
            // the client connects again); the rest goes on.
            var kept = await NotTaken([.. batch.Select(static d => d.Message)]);
            return [.. kept.Select(m => new NodeDelivery(ClientId, m))];
        }

        var undelivered = new List<NodeDelivery>();
        for (var i = 0; i < batch.Count; i++)
        {
            var result = NodeDeliveryResults.Of(results, i);
            if (NodeDeliveryResults.Refusal(result) is { } refused)
            {
                throw new MessageNotStoredException(batch[i].Message.Message.Topic, refused);
            }

            if (result == NodeDeliveryResult.NotConnected)
            {
                undelivered.Add(batch[i]);
            }
        }

        return undelivered;
    }
}
