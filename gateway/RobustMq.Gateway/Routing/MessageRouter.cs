using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
    IOptions<MqttOptions> options,
    AclRuleSet acl,
    BrokerMetrics metrics,
    TimeProvider clock,
    ILogger<MessageRouter> logger) : IMessageRouter
{
    /// <summary>How long a publish keeps trying sessions Orleans could not address, before it is refused.</summary>
    public static readonly TimeSpan EnqueueRetryLimit = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan EnqueueRetryDelay = TimeSpan.FromMilliseconds(100);

    [ThreadStatic]
    private static RouteScratch? t_scratch;

    private readonly SharedSelector _selector = new(options.Value.SharedSubscriptionStrategy);

    public ValueTask<int> PublishAsync(BrokerMessage message, CancellationToken cancellationToken = default) =>
        PublishAsync(message, null, cancellationToken);

    /// <summary>
    /// <see cref="PublishAsync(BrokerMessage, CancellationToken)"/>, except that the writes of local persistent
    /// sessions' copies still under way are added to <paramref name="pendingStores"/> instead of awaited (when given):
    /// the message is routed, in order, when this returns, and the caller acknowledges its publisher once those
    /// complete, so a publisher's next message need not wait for this one's group commit. A store that fails faults
    /// with <see cref="MessageNotStoredException"/>.
    /// </summary>
    public async ValueTask<int> PublishAsync(BrokerMessage message, List<Task>? pendingStores, CancellationToken cancellationToken)
    {
        if (message.Retain)
        {
            var stored = await retained.ForTopic(message.Topic).Set(message).WaitAsync(cancellationToken);
            if (stored != StoreOutcome.Stored)
            {
                // Not stored, so not routed either: the publisher learns it was not accepted.
                throw new MessageNotStoredException(message.Topic, stored);
            }
        }

        var scratch = t_scratch ??= new RouteScratch();
        t_scratch = null; // the scratch is ours until the synchronous part ends; an await below may resume on another thread.
        try
        {
            var matched = Plan(message, scratch);
            if (matched == 0)
            {
                // A retained message with no subscriber is stored, not dropped; one refused by the ACL is counted there.
                if (!message.Retain && scratch.RefusedCount == 0)
                {
                    metrics.Dropped(DropReasons.NoSubscribers);
                }

                return 0;
            }

            await DeliverPlannedAsync(message, scratch, pendingStores, cancellationToken);
            return matched;
        }
        finally
        {
            scratch.Clear();
            t_scratch = scratch;
        }
    }

    /// <summary>Decide each target and deliver the local ones; fills the remote and offline lists.</summary>
    private int Plan(BrokerMessage message, RouteScratch scratch)
    {
        routes.Match(message.Topic, scratch.Matches);
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

            if (entry.CheckRead && !acl.MayReceive(message.Topic, entry.ClientId, entry.UserName))
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

            scratch.AddDirect(entry, deadNodes);
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
    /// Deliveries planned for other nodes and offline sessions go out, and every copy a persistent session needs is
    /// stored (the publisher is acknowledged after this returns); then back-pressure.
    /// </summary>
    /// <exception cref="MessageNotStoredException">A copy for a persistent session could not be stored.</exception>
    private async Task DeliverPlannedAsync(BrokerMessage message, RouteScratch scratch, List<Task>? pendingStores, CancellationToken cancellationToken)
    {
        if (scratch.Remote.Count > 0 || scratch.Offline.Count > 0)
        {
            await SendElsewhere(message, scratch, cancellationToken);
        }

        if (pendingStores is not null)
        {
            pendingStores.AddRange(scratch.Stores);
        }
        else
        {
            foreach (var stored in scratch.Stores)
            {
                await stored.WaitAsync(cancellationToken);
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

        if (deadNodes.Contains(target.Node))
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

    private async Task SendElsewhere(BrokerMessage message, RouteScratch scratch, CancellationToken cancellationToken)
    {
        var offline = scratch.Offline;
        if (scratch.Remote.Count > 0)
        {
            var calls = new List<(Task<NodeDelivery[]> Call, List<NodeDelivery> Batch)>(scratch.Remote.Count);
            foreach (var (target, batch) in scratch.Remote)
            {
                calls.Add((grains.GetGrain<INodeDispatcherGrain>(target).Deliver([.. batch]), batch));
            }

            foreach (var (call, batch) in calls)
            {
                try
                {
                    offline.AddRange(await call.WaitAsync(cancellationToken));
                }
                catch (MessageNotStoredException)
                {
                    // A persistent session there could not store its copy: the publisher is not acknowledged.
                    throw;
                }
                catch (Exception ex) when (ex is not OperationCanceledException && NodeCalls.NeverRan(ex))
                {
                    // The node cannot be reached (killed, not yet declared dead) and the batch never got there: its
                    // sessions decide, as for clients not connected. A persistent session queues the messages for its
                    // client's return (on any node); a clean one ended with its node, and its shared subscriptions'
                    // messages go to another member.
                    LogRemoteFailed(logger, ex, batch.Count);
                    offline.AddRange(batch);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // It may have been delivered (a timeout, the node died with the call in flight): handing it to the
                    // sessions could deliver it twice, dropping it could lose it. The publisher is not acknowledged.
                    LogRemoteUncertain(logger, ex, batch.Count);
                    throw new MessageNotStoredException(message.Topic, StoreOutcome.Unavailable);
                }
            }
        }

        if (offline.Count == 0)
        {
            return;
        }

        var bySession = new Dictionary<string, List<PendingMessage>>(StringComparer.Ordinal);
        foreach (var item in offline)
        {
            if (!bySession.TryGetValue(item.ClientId, out var list))
            {
                bySession[item.ClientId] = list = [];
            }

            list.Add(item.Message);
        }

        foreach (var outcome in await EnqueueAsync(message.Topic, bySession, cancellationToken))
        {
            if (outcome != StoreOutcome.Stored)
            {
                // An offline session's queue could not store it: the publisher is not acknowledged (issue 10).
                throw new MessageNotStoredException(message.Topic, outcome);
            }
        }
    }

    /// <summary>
    /// Hands each session its messages. A call Orleans could not address (the grain's directory entry or activation was
    /// on a silo that just died: refused before it ran) is made again, for up to <see cref="EnqueueRetryLimit"/>, so a
    /// silo's death costs this publisher a short wait rather than a refusal, whose resend would reach the subscribers
    /// already served a second time. Any other failure, or one that lasts, refuses the publish: it is not acknowledged.
    /// </summary>
    private async Task<StoreOutcome[]> EnqueueAsync(string topic, Dictionary<string, List<PendingMessage>> bySession, CancellationToken cancellationToken)
    {
        var outcomes = new List<StoreOutcome>(bySession.Count);
        var pending = bySession.ToList();
        var started = clock.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            var calls = pending.ConvertAll(p => grains.GetGrain<ISessionGrain>(p.Key).Enqueue([.. p.Value]));
            try
            {
                await Task.WhenAll(calls).WaitAsync(cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Each call's outcome is read below.
            }

            var retry = new List<KeyValuePair<string, List<PendingMessage>>>();
            Exception? failure = null;
            for (var i = 0; i < calls.Count; i++)
            {
                if (calls[i].IsCompletedSuccessfully)
                {
                    outcomes.Add(calls[i].Result);
                }
                else if (calls[i].Exception?.InnerException is { } rejected && NodeCalls.NeverRan(rejected)
                         && clock.GetElapsedTime(started) < EnqueueRetryLimit)
                {
                    failure = rejected;
                    retry.Add(pending[i]);
                }
                else
                {
                    // A timeout may have run the call after all: not made again (it could queue the message twice).
                    failure = calls[i].Exception?.InnerException ?? new TaskCanceledException(calls[i]);
                    LogOfflineFailed(logger, failure, bySession.Count);
                    throw failure is MessageNotStoredException stored ? stored : new MessageNotStoredException(topic, StoreOutcome.Unavailable);
                }
            }

            if (retry.Count == 0)
            {
                return [.. outcomes];
            }

            if (attempt == 0)
            {
                LogEnqueueRetried(logger, failure!, retry.Count);
            }

            pending = retry;
            await Task.Delay(EnqueueRetryDelay, clock, cancellationToken);
        }
    }

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "{Count} sessions not connected here could not be reached yet (a silo died?); trying again")]
    private static partial void LogEnqueueRetried(ILogger logger, Exception ex, int count);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Handing a message to {Count} sessions not connected here failed; its publisher is not acknowledged")]
    private static partial void LogOfflineFailed(ILogger logger, Exception ex, int count);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Delivering {Count} messages to another node failed and they may have arrived; the publisher is not acknowledged")]
    private static partial void LogRemoteUncertain(ILogger logger, Exception ex, int count);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Delivering {Count} messages to another node failed; their sessions take them")]
    private static partial void LogRemoteFailed(ILogger logger, Exception ex, int count);
}
