using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RobustMq.Gateway.Nodes;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Metrics;
using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Options;
using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Hosting;
using RobustMq.Gateway.Metrics;
using RobustMq.Gateway.Security;

namespace RobustMq.Gateway.Routing;

/// <summary>
/// The publish path of this node: match in the node-local route cache (no grain call), hand to local
/// connections directly, one batched call per other node, and the owning session grain for clients
/// that are offline. A route marked <see cref="RouteEntry.CheckRead"/> at SUBSCRIBE gets the ACL read check
/// per message here, before any copy leaves for a connection, another node or a session queue; other routes
/// get none. A QoS 1/2 copy for a persistent session is stored before this returns (by the client's connection, or its
/// session grain when offline), so the publisher is acknowledged only for what survives a crash (issue 10); a copy that
/// could not be stored fails the publish with <see cref="MessageNotStoredException"/>.
/// </summary>
public sealed partial class MessageRouter(
    RouteCache routes,
    RetainedStores retained,
    ILocalDelivery delivery,
    IGrainFactory grains,
    NodeIdentity node,
    DeadNodes deadNodes,
    NodeOutboxes outboxes,
    SessionHandover handover,
    IOptions<MqttOptions> options,
    AclFile acl,
    BrokerMetrics metrics,
    TimeProvider clock,
    ILogger<MessageRouter> logger) : IMessageRouter
{
    [ThreadStatic]
    private static RouteScratch? t_scratch;

    private readonly SharedSelector _selector = new(options.Value.SharedSubscriptionStrategy);

    public ValueTask<int> PublishAsync(BrokerMessage message, CancellationToken cancellationToken = default) =>
        PublishAsync(message, null, null, cancellationToken);

    /// <summary>
    /// <see cref="PublishAsync(BrokerMessage, CancellationToken)"/>, except that the writes of local persistent
    /// sessions' copies still under way, and the deliveries queued for other nodes (<see cref="NodeOutboxes"/>), are
    /// added to <paramref name="pendingStores"/> instead of awaited (when given): the message is routed, in order, when
    /// this returns, and the caller acknowledges its publisher once those complete, so a publisher's next message need
    /// not wait for this one's group commit or round trip. One that fails faults with <see cref="MessageNotStoredException"/>.
    /// <paramref name="pipeline"/> (the publisher's, when it has one) keeps its order across deliveries still under way.
    /// </summary>
    public async ValueTask<int> PublishAsync(BrokerMessage message, List<Task>? pendingStores, PublisherPipeline? pipeline, CancellationToken cancellationToken)
    {
        if (message.MessageId == Guid.Empty)
        {
            // A backend service's or the broker's own message: every publication has one (BrokerMessage.MessageId).
            message = message with { MessageId = MessageIds.New() };
        }

        if (message.Retain)
        {
            var stored = await retained.ForTopic(message.Topic).Set(message).WaitAsync(cancellationToken);
            if (stored != StoreOutcome.Stored)
            {
                // Not stored, so not routed either: the publisher learns it was not accepted.
                throw new MessageNotStoredException(message.Topic, stored);
            }
        }

        if (pipeline is not null && !pipeline.Room.IsCompleted)
        {
            // A slow client on another node got this publisher's last messages: it waits, as for one on this node.
            await pipeline.Room.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            cancellationToken.ThrowIfCancellationRequested();
        }

        var scratch = t_scratch ??= new RouteScratch();
        t_scratch = null; // the scratch is ours until the synchronous part ends; an await below may resume on another thread.
        try
        {
            var matched = Plan(message, scratch, pipeline);
            while (matched < 0)
            {
                // A subscriber may be reached another way than this publisher's deliveries still under way: they go first.
                scratch.Clear();
                await pipeline!.DrainAsync();
                matched = Plan(message, scratch, pipeline);
            }

            if (matched == 0)
            {
                // A retained message with no subscriber is stored, not dropped; one refused by the ACL is counted there.
                if (!message.Retain && scratch.RefusedCount == 0)
                {
                    metrics.Dropped(DropReasons.NoSubscribers);
                    metrics.DroppedMessage(message.Topic, message.QoS);
                }

                return 0;
            }

            await DeliverPlannedAsync(message, scratch, pendingStores, pipeline, cancellationToken);
            return matched;
        }
        finally
        {
            scratch.Clear();
            t_scratch = scratch;
        }
    }

    /// <summary>The per-message read check of a route marked <see cref="RouteEntry.CheckRead"/>, counted (<c>mqtt_acl_*_total{action="read"}</c>).</summary>
    private bool ReadAllowed(string topic, RouteEntry entry)
    {
        var allowed = acl.Current.MayReceive(topic, entry.ClientId, entry.UserName);
        metrics.AclDecided(BrokerMetrics.AclRead, allowed);
        return allowed;
    }

    /// <summary>
    /// Decide each target and deliver the local ones; fills the remote and offline lists. -1 (nothing done) when the
    /// publisher's deliveries still under way must complete first (<see cref="PublisherPipeline"/>).
    /// </summary>
    private int Plan(BrokerMessage message, RouteScratch scratch, PublisherPipeline? pipeline)
    {
        var added = routes.Match(message.Topic, scratch.Matches);
        scratch.Dead = deadNodes.Current;
        scratch.Epoch = added + scratch.Dead.Generation;
        if (pipeline is not null && pipeline.MustDrain(scratch.Epoch))
        {
            return -1;
        }

        if (scratch.Matches.Count == 0)
        {
            return 0;
        }

        foreach (var entry in scratch.Matches)
        {
            if (entry.NoLocal && entry.ShareGroup is null && entry.ClientId == message.PublisherClientId)
            {
                // MQTT-3.8.3-3: not sent back to the connection that published it.
                continue;
            }

            if (entry.CheckRead && !ReadAllowed(message.Topic, entry))
            {
                // The client may not subscribe to this topic (its wider filter overlaps a deny rule): not delivered,
                // as Mosquitto's per-message read check; a shared group picks among its other members.
                scratch.Refuse(entry);
                continue;
            }

            if (entry.ShareGroup is not null)
            {
                scratch.AddShared(entry);
                continue;
            }

            scratch.AddDirect(entry, scratch.Dead);
        }

        var count = 0;
        foreach (var target in scratch.Targets.Values)
        {
            count++;
            Dispatch(message, target, scratch);
        }

        foreach (var group in scratch.Groups.Values)
        {
            count++;
            var chosen = _selector.Pick(group, message, delivery, node.Name);
            Dispatch(message, chosen, scratch);
        }

        var refused = scratch.CountRefused();
        for (var i = 0; i < refused; i++)
        {
            metrics.Dropped(DropReasons.NotAuthorized);
        }

        return count;
    }

    /// <summary>
    /// Deliveries planned for other nodes are queued on their outboxes (in order, before anything is awaited), those
    /// for offline sessions go to their grains, and every copy a persistent session needs is stored (the publisher is
    /// acknowledged after this returns, or once <paramref name="pendingStores"/> complete); then back-pressure.
    /// </summary>
    /// <exception cref="MessageNotStoredException">A copy for a persistent session could not be stored.</exception>
    private async Task DeliverPlannedAsync(
        BrokerMessage message, RouteScratch scratch, List<Task>? pendingStores, PublisherPipeline? pipeline, CancellationToken cancellationToken)
    {
        Task? remote = null;
        if (scratch.Remote.Count > 0)
        {
            remote = DeliverRemoteAsync(message.Topic, SendRemote(scratch), pipeline, cancellationToken);
            pipeline?.Sent(remote, scratch.Epoch);
        }

        if (scratch.Offline.Count > 0)
        {
            try
            {
                await handover.HandOverOrRefuseAsync(message.Topic, scratch.Offline, cancellationToken);
            }
            catch when (remote is not null)
            {
                // Refused: what the other nodes answer no longer matters to this publisher.
                _ = remote.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                throw;
            }
        }

        if (pendingStores is not null)
        {
            pendingStores.AddRange(scratch.Stores);
            if (remote is not null)
            {
                pendingStores.Add(remote);
            }
        }
        else
        {
            foreach (var stored in scratch.Stores)
            {
                await stored.WaitAsync(cancellationToken);
            }

            if (remote is not null)
            {
                await remote.WaitAsync(cancellationToken);
            }
        }

        // Back-pressure: the publisher's reads stay paused until slow local subscribers have room.
        foreach (var clientId in scratch.Congested)
        {
            await delivery.WaitForRoomAsync(clientId, cancellationToken);
        }
    }

    /// <param name="handedOnFrom">For a shared message handed on: the members it was handed on from, the last one included.</param>
    private void Dispatch(BrokerMessage message, Target target, RouteScratch scratch, string[]? handedOnFrom = null)
    {
        var qos = Math.Min(message.QoS, target.QoS);
        var pending = new PendingMessage(
            message, qos, target.RetainAsPublished && message.Retain, target.SubscriptionIds(), 0, target.ShareGroup, target.ShareFilter, handedOnFrom);
        if (target.Node == node.Name)
        {
            var outcome = delivery.TryDeliver(target.ClientId, pending, out var stored);
            if (!stored.IsCompletedSuccessfully)
            {
                scratch.Stores.Add(stored);
            }

            switch (outcome)
            {
                case LocalDelivery.NotConnected:
                    scratch.Offline.Add(new NodeDelivery(target.ClientId, pending));
                    break;
                case LocalDelivery.Congested:
                    scratch.Congested.Add(target.ClientId);
                    break;
            }

            return;
        }

        if (scratch.Dead.Contains(target.Node))
        {
            // A persistent session whose node died: its grain queues the message for the client's return.
            scratch.Offline.Add(new NodeDelivery(target.ClientId, pending));
            return;
        }

        if (!scratch.Remote.TryGetValue(target.Node, out var batch))
        {
            scratch.Remote[target.Node] = batch = [];
        }

        batch.Add(new NodeDelivery(target.ClientId, pending));
    }

    /// <summary>Queue this message's deliveries on each other node's outbox, synchronously (their order is the publish order).</summary>
    private (string Node, NodeTicket Ticket)[] SendRemote(RouteScratch scratch)
    {
        var tickets = new (string Node, NodeTicket Ticket)[scratch.Remote.Count];
        var i = 0;
        foreach (var (target, batch) in scratch.Remote)
        {
            tickets[i++] = (target, outboxes.Send(target, [.. batch]));
            metrics.MessagesForwarded.Inc(batch.Count);
        }

        return tickets;
    }

    /// <summary>
    /// Completes once the other nodes took this message's deliveries (stored where their persistent sessions need it;
    /// those whose client is not connected there handed to their sessions by the outbox) and, when given a
    /// <paramref name="pipeline"/>, slow clients there have room.
    /// </summary>
    /// <exception cref="MessageNotStoredException">A copy could not be stored, or a node may or may not have taken it.</exception>
    private async Task DeliverRemoteAsync(string topic, (string Node, NodeTicket Ticket)[] tickets, PublisherPipeline? pipeline, CancellationToken cancellationToken)
    {
        List<Task>? room = null;
        foreach (var (target, ticket) in tickets)
        {
            await ticket.Call.WaitAsync(cancellationToken);
            List<string>? congested = null;
            for (var i = 0; i < ticket.Deliveries.Length; i++)
            {
                var result = ticket.Result(i);
                if (NodeDeliveryResults.Refusal(result) is { } refused)
                {
                    // A copy there, or its session's, could not be stored: the publisher is not acknowledged.
                    throw new MessageNotStoredException(topic, refused);
                }

                if (result == NodeDeliveryResult.Congested)
                {
                    (congested ??= []).Add(ticket.Deliveries[i].ClientId);
                }
            }

            if (congested is not null)
            {
                (room ??= []).Add(WaitForRoomAsync(target, [.. congested]));
            }
        }

        if (room is not null)
        {
            // Back-pressure across nodes: this publisher's next message, and this one's acknowledgement, wait until the
            // slow clients there have room (each wait bounded there by Mqtt:BackPressureTimeoutMs).
            var all = Task.WhenAll(room);
            if (pipeline is not null)
            {
                pipeline.Room = all;
            }

            await all.WaitAsync(cancellationToken);
        }
    }

    private async Task WaitForRoomAsync(string node, string[] clientIds)
    {
        try
        {
            await grains.GetGrain<INodeDispatcherGrain>(node).WaitForRoom(clientIds);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The messages are delivered; waiting is only for the slow clients' sake.
        }
    }
}
