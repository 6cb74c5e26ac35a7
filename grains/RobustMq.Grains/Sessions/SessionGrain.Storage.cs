using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Storage;
using RobustMq.Storage;

namespace RobustMq.Grains.Sessions;

/// <summary>
/// A persistent session in storage (<c>Storage:Default</c>): its durable part as a <see cref="SessionRecord"/> (space
/// <see cref="SessionSpace"/>, key the client id) and each queued message as its own <see cref="PendingRecord"/>
/// (<see cref="SessionQueue"/>). Every change is written before the call that made it returns, so a message
/// queued for an offline session is stored before its publisher is acknowledged. Loaded when the grain activates: after
/// a restart the client resumes its session (session present) with its subscriptions and queued messages. Messages
/// handed to a connection keep their records, and a connection stores each QoS 1/2 delivery it accepts in the sequence
/// range reserved for it (<see cref="ConnectResult.QueueSequence"/>): the connection deletes a record once its client
/// acknowledges the message, and hands the rest back when it ends.
/// </summary>
public sealed partial class SessionGrain
{
    /// <summary>The keyed space of session records.</summary>
    public const string SessionSpace = "sessions";

    private IStorageEngine Store => storage.ForState();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A client id too long for a storage key (over about 65,000 bytes) keeps its session in memory only.
        _state.QueueKeyPrefix = SessionQueue.PrefixOf(ClientId);
        if (_state.QueueKeyPrefix is null || await Store.GetAsync(SessionSpace, ClientId, cancellationToken) is not { } bytes)
        {
            return;
        }

        var record = SessionRecord.Decode(bytes);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        _state.Exists = true;
        // Its routes were restored pointing at this node as the silo started (StoredSessionRoutes).
        _state.Node = NodeNames.Of(GrainContext.Address.SiloAddress!);
        _state.ExpirySeconds = record.ExpirySeconds;
        _state.ProtocolVersion = record.ProtocolVersion;
        _state.UserName = record.UserName;
        _state.Will = record.Will;
        // Stored while connected: the broker stopped under it, so it was disconnected no later than now.
        _state.DisconnectedAtUnixMs = record.DisconnectedAtUnixMs == 0 ? now : record.DisconnectedAtUnixMs;
        foreach (var subscription in record.Subscriptions)
        {
            _state.Subscriptions[subscription.Filter] = subscription;
        }

        _state.PendingPubRel.UnionWith(record.PendingPubRel);
        _state.InboundQoS2.UnionWith(record.InboundQoS2);
        await foreach (var entry in Store.ScanAsync(SessionQueue.Space, _state.QueueKeyPrefix, cancellationToken))
        {
            _state.Restore(entry.Key, PendingRecord.Decode(entry.Value));
        }

        if (_state.ExpirySeconds != uint.MaxValue)
        {
            var left = TimeSpan.FromMilliseconds(Math.Max(0, _state.DisconnectedAtUnixMs + (_state.ExpirySeconds * 1000L) - now));
            _expiryTimer = this.RegisterGrainTimer(OnExpired, new GrainTimerCreationOptions(left, Timeout.InfiniteTimeSpan));
        }
    }

    /// <summary>
    /// Runs <paramref name="mutate"/> (synchronous: nothing interleaves with it) with the queue's changes recorded, then
    /// writes them, and the session record when <paramref name="record"/> (a delete once the session no longer
    /// exists), as one batch. The batch is handed to the engine before this returns, so writes keep the calls' order.
    /// </summary>
    private Task Persist(Action mutate, bool record = true)
    {
        if (_state.QueueKeyPrefix is null)
        {
            mutate();
            return Task.CompletedTask;
        }

        var batch = new StorageBatch();
        _state.Changes = batch;
        try
        {
            mutate();
        }
        finally
        {
            _state.Changes = null;
        }

        if (record)
        {
            if (_state.Exists)
            {
                batch.Put(SessionSpace, ClientId, ToRecord().Encode());
            }
            else
            {
                batch.Delete(SessionSpace, ClientId);
            }
        }

        return batch.IsEmpty ? Task.CompletedTask : Store.WriteAsync(batch).AsTask();
    }

    private SessionRecord ToRecord() => new(
        _state.ExpirySeconds,
        _state.ProtocolVersion,
        _state.UserName,
        _state.Will,
        _state.Connection is null ? _state.DisconnectedAtUnixMs : 0,
        [.. _state.Subscriptions.Values],
        [.. _state.PendingPubRel],
        [.. _state.InboundQoS2]);
}
