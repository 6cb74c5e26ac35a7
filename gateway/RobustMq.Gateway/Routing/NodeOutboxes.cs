using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Sessions;

namespace RobustMq.Gateway.Routing;

/// <summary>
/// One ordered outbound channel per other node: the deliveries every publisher of this node routes there go out in
/// one <see cref="INodeDispatcherGrain.Deliver"/> call at a time, each call carrying what came while the one before was
/// in flight (up to <see cref="MaxBatch"/> deliveries). A publisher's deliveries reach the node in the order it
/// published them (MQTT 4.6), publishers do not wait for each other's round trips, and under load a call carries
/// hundreds of messages (one grain call, one group commit there, per batch rather than per message).
/// What the node reports not connected there, and the whole batch when the call was refused before it ran (the node
/// is unreachable: killed and not yet declared dead), goes to the clients' sessions before the next call is made, so
/// those too keep their order. A call during which the node died (<see cref="SiloUnavailableException"/>) may have
/// been delivered: once membership declares the node dead (within <see cref="DeathWait"/>) its batch goes to the
/// sessions as what may have reached them (<see cref="ISessionGrain.EnqueueAgain"/>: each session leaves out what its
/// connection there had stored, by message id), so the publishers are acknowledged and send nothing twice;
/// a node not declared dead by then may still deliver it, and the batch's publishers are refused (not acknowledged),
/// as they are for any other failure (a timeout: the node lives).
/// </summary>
public sealed partial class NodeOutboxes(IGrainFactory grains, DeadNodes deadNodes, SessionHandover handover, TimeProvider clock, ILogger<NodeOutboxes> logger)
{
    /// <summary>The most deliveries one call carries (more wait for the next call).</summary>
    public const int MaxBatch = 4096;

    /// <summary>
    /// How long a batch whose call failed in flight waits for membership to declare its node dead (seconds with the
    /// broker's membership settings, docs/cluster.md), before its publishers are refused.
    /// </summary>
    public static readonly TimeSpan DeathWait = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<string, Outbox> _outboxes = new(StringComparer.Ordinal);
    private readonly IGrainFactory _grains = grains;
    private readonly DeadNodes _deadNodes = deadNodes;
    private readonly SessionHandover _handover = handover;
    private readonly TimeProvider _clock = clock;
    private readonly ILogger _logger = logger;

    /// <summary>
    /// Queue <paramref name="deliveries"/> for <paramref name="node"/> behind everything queued for it before (the
    /// array is not copied: it must not change). The ticket's call completes with each delivery's final result
    /// (delivered, slow client there, or not stored: a client not connected there was handed to its session, and its
    /// result is that of the handover); it faults when the call failed and may have been delivered.
    /// </summary>
    public NodeTicket Send(string node, NodeDelivery[] deliveries) =>
        _outboxes.GetOrAdd(node, static (name, self) => new Outbox(name, self), this).Send(deliveries);

    /// <summary>How many nodes have an outbox (a dead node's goes once its last call is done).</summary>
    internal int Count => _outboxes.Count;

    private sealed class Batch
    {
        public readonly List<NodeDelivery[]> Parts = [];
        public readonly TaskCompletionSource<NodeDeliveryResult[]> Call = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Count;
    }

    private sealed class Outbox(string node, NodeOutboxes owner)
    {
        private readonly Lock _lock = new();
        private readonly Queue<Batch> _waiting = new();
        private Batch? _open;
        private bool _sending;

        public NodeTicket Send(NodeDelivery[] deliveries)
        {
            bool start;
            NodeTicket ticket;
            lock (_lock)
            {
                if (_open is null || (_open.Count > 0 && _open.Count + deliveries.Length > MaxBatch))
                {
                    _open = new Batch();
                    _waiting.Enqueue(_open);
                }

                ticket = new NodeTicket(_open.Call.Task, _open.Count, deliveries);
                _open.Parts.Add(deliveries);
                _open.Count += deliveries.Length;
                start = !_sending;
                _sending = true;
            }

            if (start)
            {
                // Not on the publisher's thread: a grain publishing (a will, PublisherGrain) must not lend its scheduler or
                // request context to the node-wide loop.
                ThreadPool.UnsafeQueueUserWorkItem(static outbox => _ = outbox.SendAsync(), this, preferLocal: true);
            }

            return ticket;
        }

        private async Task SendAsync()
        {
            var dispatcher = owner._grains.GetGrain<INodeDispatcherGrain>(node);
            while (true)
            {
                Batch batch;
                lock (_lock)
                {
                    if (!_waiting.TryDequeue(out batch!))
                    {
                        _sending = false;
                        if (owner._deadNodes.Contains(node))
                        {
                            // Nothing more goes to a dead node (the router hands its deliveries to sessions).
                            owner._outboxes.TryRemove(new KeyValuePair<string, Outbox>(node, this));
                        }

                        return;
                    }

                    if (ReferenceEquals(batch, _open))
                    {
                        _open = null;
                    }
                }

                var items = new NodeDelivery[batch.Count];
                var offset = 0;
                foreach (var part in batch.Parts)
                {
                    part.CopyTo(items, offset);
                    offset += part.Length;
                }

                try
                {
                    batch.Call.TrySetResult(await DeliverAsync(dispatcher, items).ConfigureAwait(false));
                }
                catch (Exception ex)
                {
                    batch.Call.TrySetException(ex);
                }
            }
        }

        /// <summary>One call, and the handover of what the node did not take; the final result of each item.</summary>
        private async Task<NodeDeliveryResult[]> DeliverAsync(INodeDispatcherGrain dispatcher, NodeDelivery[] items)
        {
            NodeDeliveryResult[] results;
            var mayHaveArrived = false;
            try
            {
                results = await dispatcher.Deliver(items).ConfigureAwait(false);
            }
            catch (Exception ex) when (NodeCalls.NeverRan(ex))
            {
                // The node cannot be reached and the batch never got there: its sessions decide, as for clients not
                // connected. A persistent session queues the messages for its client's return (on any node); a clean one
                // ended with its node, and its shared subscriptions' messages go to another member.
                LogNodeUnreachable(owner._logger, ex, items.Length, node);
                results = new NodeDeliveryResult[items.Length];
                Array.Fill(results, NodeDeliveryResult.NotConnected);
            }
            catch (SiloUnavailableException ex)
            {
                // The node died with the call in flight, so it may have been delivered: its sessions take the batch as
                // such once the node is declared dead (a killed process delivers nothing more; one that was only
                // paused stops when it learns it was declared dead, but may deliver what it had received before it
                // does), or its publishers are refused.
                LogUncertain(owner._logger, ex, items.Length, node);
                if (!await owner._deadNodes.WaitForDeathAsync(node, DeathWait, owner._clock).ConfigureAwait(false))
                {
                    LogUncertainRefused(owner._logger, items.Length, node, DeathWait.TotalSeconds);
                    throw new MessageNotStoredException("a delivery to another node may or may not have arrived", ex);
                }

                mayHaveArrived = true;
                results = new NodeDeliveryResult[items.Length];
                Array.Fill(results, NodeDeliveryResult.NotConnected);
            }
            catch (Exception ex)
            {
                // It may have been delivered (a timeout: the node lives, maybe slow), or failed here: handing it on could
                // deliver it twice, dropping it could lose it. Its publishers are not acknowledged.
                LogRefused(owner._logger, ex, items.Length, node);
                throw new MessageNotStoredException("a delivery to another node may or may not have arrived", ex);
            }

            if (Array.IndexOf(results, NodeDeliveryResult.NotConnected) < 0)
            {
                return results;
            }

            var offline = new List<NodeDelivery>();
            for (var i = 0; i < items.Length; i++)
            {
                if (results[i] == NodeDeliveryResult.NotConnected)
                {
                    offline.Add(items[i]);
                }
            }

            var outcomes = await owner._handover.HandOverAsync(offline, CancellationToken.None, mayHaveArrived).ConfigureAwait(false);
            var bySession = new Dictionary<string, StoreOutcome>(outcomes.Length, StringComparer.Ordinal);
            foreach (var (clientId, outcome) in outcomes)
            {
                bySession[clientId] = outcome;
            }

            for (var i = 0; i < items.Length; i++)
            {
                if (results[i] == NodeDeliveryResult.NotConnected)
                {
                    results[i] = bySession[items[i].ClientId] switch
                    {
                        StoreOutcome.Stored => NodeDeliveryResult.Delivered,
                        StoreOutcome.Full => NodeDeliveryResult.NotStoredFull,
                        _ => NodeDeliveryResult.NotStored,
                    };
                }
            }

            return results;
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Delivering {Count} messages to node {Node} failed before they were sent; their sessions take them")]
    private static partial void LogNodeUnreachable(ILogger logger, Exception ex, int count, string node);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Delivering {Count} messages to node {Node} failed and they may have arrived; their sessions take them once the node is declared dead")]
    private static partial void LogUncertain(ILogger logger, Exception ex, int count, string node);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Delivering {Count} messages to node {Node} failed and they may have arrived; their publishers are not acknowledged")]
    private static partial void LogRefused(ILogger logger, Exception ex, int count, string node);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Node {Node} was not declared dead within {Seconds} s of a failed delivery of {Count} messages that may have arrived; their publishers are not acknowledged")]
    private static partial void LogUncertainRefused(ILogger logger, int count, string node, double seconds);
}

/// <summary>
/// Deliveries queued for a node (<see cref="NodeOutboxes.Send"/>): the call that carries them, where they sit in its
/// batch, and the deliveries themselves.
/// </summary>
public readonly record struct NodeTicket(Task<NodeDeliveryResult[]> Call, int Offset, NodeDelivery[] Deliveries)
{
    /// <summary>The result of <see cref="Deliveries"/>[<paramref name="index"/>] once <see cref="Call"/> completed.</summary>
    public NodeDeliveryResult Result(int index) => NodeDeliveryResults.Of(Call.Result, Offset + index);
}
