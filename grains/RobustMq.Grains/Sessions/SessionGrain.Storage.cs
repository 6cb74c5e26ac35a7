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
        if (_state.QueueKeyPrefix is null || !Store.Sync.SurvivesProcessCrash)
        {
            // Kept in this activation's memory (a volatile store is this silo's alone): never deactivated while needed.
            DelayDeactivation(TimeSpan.MaxValue);
        }

        if (_state.QueueKeyPrefix is null)
        {
            return;
        }

        if (await Store.GetAsync(SessionSpace, ClientId, cancellationToken) is not { } bytes)
        {
            return;
        }

        var record = SessionRecord.Decode(bytes);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        _state.Exists = true;
        _state.ExpirySeconds = record.ExpirySeconds;
        _state.ProtocolVersion = record.ProtocolVersion;
        _state.UserName = record.UserName;
        _state.Will = record.Will;
        if (record.Subscriptions.Length > 0)
        {
            // Written when subscriptions were part of the session record: they move to records of their own.
            var moved = SessionSubscriptions.AddTo(new StorageBatch(), _state.QueueKeyPrefix, record.Subscriptions, []);
            moved.Put(SessionSpace, ClientId, (record with { Subscriptions = [] }).Encode());
            await Store.WriteAsync(moved, cancellationToken);
        }

        await ReloadSubscriptions();

        _state.PendingPubRel.UnionWith(record.PendingPubRel);
        _state.InboundQoS2.UnionWith(record.InboundQoS2);
        // Its connection's node died (declared dead, or gone from membership) without the connection handing the session
        // back: its records are orphans. A node shutting down, or one this silo's view has not caught up with, still
        // serves it: that connection hands the session back itself.
        var attached = record.Attached is { } a && !IsGone(a.Connection.Node, []) ? a : null;
        var orphaned = record.Attached is not null && attached is null;
        if (attached is not null)
        {
            // Deactivated while its client stayed connected: that connection serves it still, and owns the records it
            // was handed and the ones it stored; this grain loads only what it queued itself meanwhile.
            _state.Connection = attached.Connection;
            _state.Node = attached.Connection.Node;
            _state.Attach(attached.OwnedFrom, attached.Range);
            _state.StartedClean = attached.StartedClean;
        }
        else
        {
            // Its routes were restored pointing at this node as the silo started (StoredSessionRoutes).
            _state.Node = NodeNames.Of(GrainContext.Address.SiloAddress!);
            // Stored while connected: the broker stopped under it, so it was disconnected no later than now.
            _state.DisconnectedAtUnixMs = record.DisconnectedAtUnixMs == 0 ? now : record.DisconnectedAtUnixMs;
        }

        await foreach (var entry in Store.ScanAsync(SessionQueue.Space, _state.QueueKeyPrefix, cancellationToken))
        {
            if (attached is null || _state.OwnsRecord(entry.Key))
            {
                var message = PendingRecord.Decode(entry.Value);
                _state.Restore(entry.Key, message);
                if (orphaned)
                {
                    _state.RecoveredMessage(message);
                }
            }
        }

        if (_state.RecoveredAny)
        {
            _recoveredAt = clock.GetTimestamp();
        }

        if (attached is null)
        {
            // The QoS 2 ids its client was sent PUBREC for and has not released: stored by the connection before each
            // PUBREC, so a resend after a crash is known as one. While a connection serves the session, they are its own.
            await ReloadInbound();
        }

        if (attached is null && _state.ExpirySeconds != uint.MaxValue)
        {
            var left = TimeSpan.FromMilliseconds(Math.Max(0, _state.DisconnectedAtUnixMs + (_state.ExpirySeconds * 1000L) - now));
            _expiryTimer = this.RegisterGrainTimer(OnExpired, new GrainTimerCreationOptions(left, Timeout.InfiniteTimeSpan));
        }

        if (attached is null && _state.Will is { } will && will.DelaySeconds < _state.ExpirySeconds)
        {
            // The will goes out at min(will delay, session expiry) after the disconnect (the expiry timer sends it
            // otherwise); an activation that ran this timer may have died with its silo. For a connection whose node
            // died, the disconnect is now: its network connection ended without a DISCONNECT.
            var left = TimeSpan.FromMilliseconds(Math.Max(0, _state.DisconnectedAtUnixMs + (will.DelaySeconds * 1000L) - now));
            _willTimer = this.RegisterGrainTimer(OnWillDelayElapsed, new GrainTimerCreationOptions(left, Timeout.InfiniteTimeSpan));
        }

        if (orphaned)
        {
            // Stored as disconnected now, so the directory and a later activation count the will and expiry from now.
            await Persist(static () => { });
        }
        else if (attached is null && await Store.GetAsync(SessionIndex.Space, SessionIndex.Key(ClientId), cancellationToken) is null)
        {
            // A session stored before the index had no entry: a disconnected session's grain stays active for its
            // timers, and the directory needs the entry should that grain's silo die (and to know the id is held).
            var entry = SessionIndex.Of(ToRecord());
            await Store.WriteAsync(new StorageBatch().Put(SessionIndex.Space, SessionIndex.Key(ClientId), SessionIndex.Encode(entry)), cancellationToken);
            _indexed = entry;
        }

        if (attached is null)
        {
            // Its timers run here (the call that activated it decides the rest: KeepWhileNeeded).
            DelayDeactivation(TimeSpan.MaxValue);
        }
    }

    /// <summary>
    /// Whether this grain must stay active: a session in memory only (no storage key, or a volatile store such as
    /// Memory, which is per silo), or one without a connection (its will and expiry timers run here). A session served by
    /// its connection, with everything in a store that survives the process, has no work here until a call brings
    /// some: it is deactivated when idle (a connected idle client costs its connection only), and loads again from
    /// storage when called.
    /// </summary>
    private void KeepWhileNeeded()
    {
        if (_state.RecoveredAny && clock.GetElapsedTime(_recoveredAt) >= RecoveredKeptFor)
        {
            _state.ForgetRecovered();
        }

        if (_state.QueueKeyPrefix is null || !Store.Sync.SurvivesProcessCrash || (_state.Exists && _state.Connection is null))
        {
            DelayDeactivation(TimeSpan.MaxValue);
        }
        else if (_state.RecoveredAny)
        {
            // What a dead node's connection had is known by message id here (deliveries that may have reached it still
            // come, EnqueueAgain): not forgotten by deactivating.
            DelayDeactivation(RecoveredKeptFor - clock.GetElapsedTime(_recoveredAt));
        }
        else if (_handOnLater is null && !_connecting)
        {
            // (Deactivating cannot be undone: not while a Connect that may recover a dead connection's records runs.)
            DeactivateOnIdle();
        }
    }

    /// <summary>
    /// How long an activation that recovered a dead connection's records stays, knowing their message ids: longer than a
    /// delivery that may have reached that connection takes to be handed here (NodeOutboxes.DeathWait, then the
    /// handover's retries and a grain call's timeout).
    /// </summary>
    private static readonly TimeSpan RecoveredKeptFor = TimeSpan.FromMinutes(2);

    // When this activation last recovered a dead connection's records (a TimeProvider timestamp).
    private long _recoveredAt;

    // The session's index entry as this activation last wrote it (null: not written by it yet).
    private SessionIndexEntry? _indexed;

    // Whether a Connect is under way: an Enqueue that interleaves with it must not deactivate the grain before the
    // Connect's recovery is remembered (KeepWhileNeeded).
    private bool _connecting;

    /// <summary>
    /// Runs <paramref name="mutate"/> (synchronous: nothing interleaves with it) with the queue's changes recorded, then
    /// writes them, and the session record when <paramref name="record"/> (a delete once the session no longer
    /// exists), as one batch. The batch is handed to the engine before this returns, so writes keep the calls' order.
    /// </summary>
    /// <remarks><paramref name="into"/>: changes recorded earlier (<see cref="Record"/>) that are written with these.</remarks>
    private Task Persist(Action mutate, bool record = true, StorageBatch? into = null)
    {
        if (_state.QueueKeyPrefix is null)
        {
            mutate();
            return Task.CompletedTask;
        }

        var batch = Record(mutate, into);
        var indexing = false;
        if (record)
        {
            if (_state.Exists)
            {
                var stored = ToRecord();
                batch.Put(SessionSpace, ClientId, stored.Encode());
                var entry = SessionIndex.Of(stored);
                if (entry != _indexed)
                {
                    // What the directory needs after a silo's death changed (connected, or when the will or expiry is due).
                    batch.Put(SessionIndex.Space, SessionIndex.Key(ClientId), SessionIndex.Encode(entry));
                    _indexed = entry;
                    indexing = true;
                }
            }
            else
            {
                batch.Delete(SessionSpace, ClientId);
                batch.Delete(SessionIndex.Space, SessionIndex.Key(ClientId));
                _indexed = null;
            }
        }

        if (batch.IsEmpty)
        {
            return Task.CompletedTask;
        }

        var write = Store.WriteAsync(batch).AsTask();
        return indexing ? ForgetIndexedOnFailure(write) : write;
    }

    /// <summary>A failed write leaves the index entry unknown: the next record write writes it again.</summary>
    private async Task ForgetIndexedOnFailure(Task write)
    {
        try
        {
            await write;
        }
        catch
        {
            _indexed = null;
            throw;
        }
    }

    /// <summary>
    /// Loads the queue records this session does not hold and did not queue itself: the connection that had them (handed
    /// over at its CONNECT, or stored as they came) ended without handing the session back. They go first, as the
    /// deliveries they were.
    /// </summary>
    /// <remarks>
    /// Connect calls it while the connection that ended is still the session's (<see cref="SessionState.Connection"/>):
    /// the records of a live connection are not orphans. Each message recovered is remembered by id
    /// (<see cref="SessionState.RecoveredMessage"/>).
    /// </remarks>
    private async Task<PendingMessage[]> RecoverOrphans()
    {
        if (_state.QueueKeyPrefix is not { } prefix || !Store.Sync.SurvivesProcessCrash)
        {
            return [];
        }

        var found = new List<PendingMessage>();
        await foreach (var entry in Store.ScanAsync(SessionQueue.Space, prefix))
        {
            var sequence = SessionQueue.SequenceOf(prefix, entry.Key);
            if (!_state.Holds(sequence) && !_state.OwnsRecord(entry.Key))
            {
                var message = PendingRecord.Decode(entry.Value) with { StoreSequence = sequence };
                found.Add(message);
                _state.RecoveredMessage(message);
            }
        }

        if (found.Count > 0)
        {
            _recoveredAt = clock.GetTimestamp();
        }

        _state.ReturnUnacknowledged([.. found]);
        return [.. found];
    }

    /// <summary>The inbound QoS 2 ids a connection stored (before its PUBRECs) and did not hand back.</summary>
    private async Task ReloadInbound()
    {
        if (_state.QueueKeyPrefix is not { } prefix)
        {
            return;
        }

        await foreach (var entry in Store.ScanAsync(SessionQueue.InboundSpace, prefix))
        {
            _state.InboundQoS2.Add(SessionQueue.PacketIdOf(prefix, entry.Key));
        }
    }

    /// <summary>
    /// Every stored subscription and inbound QoS 2 id record of the session (deleted with it, leftovers included: they
    /// are found by prefix, not from what this activation holds).
    /// </summary>
    private static readonly string[] SideSpaces = [SessionSubscriptions.Space, SessionQueue.InboundSpace];

    private async Task<IReadOnlyList<(string Space, string Key)>> StoredSideRecords()
    {
        if (_state.QueueKeyPrefix is not { } prefix)
        {
            return [];
        }

        var records = new List<(string Space, string Key)>();
        foreach (var space in SideSpaces)
        {
            await foreach (var entry in Store.ScanAsync(space, prefix))
            {
                records.Add((space, entry.Key));
            }
        }

        return records;
    }

    /// <summary>
    /// The session's subscriptions as storage has them: a connection that served the session changed them there
    /// (SUBSCRIBE, UNSUBSCRIBE) without this grain. Before the grain acts on them again (its connection hands it back or
    /// is taken over). The routes' dictionary is the same object, refilled.
    /// </summary>
    private async Task ReloadSubscriptions()
    {
        if (_state.QueueKeyPrefix is not { } prefix)
        {
            return;
        }

        var stored = await SessionSubscriptions.LoadAsync(Store, prefix);
        _state.Subscriptions.Clear();
        foreach (var subscription in stored)
        {
            _state.Subscriptions[subscription.Filter] = subscription;
        }
    }

    /// <summary>Runs <paramref name="mutate"/> with the queue's changes recorded in <paramref name="batch"/> (a new one when null), not written yet.</summary>
    private StorageBatch Record(Action mutate, StorageBatch? batch = null)
    {
        batch ??= new StorageBatch();
        _state.Changes = batch;
        try
        {
            mutate();
        }
        finally
        {
            _state.Changes = null;
        }

        return batch;
    }

    private SessionRecord ToRecord() => new(
        _state.ExpirySeconds,
        _state.ProtocolVersion,
        _state.UserName,
        _state.Will,
        _state.Connection is null ? _state.DisconnectedAtUnixMs : 0,
        [],
        [.. _state.PendingPubRel],
        [.. _state.InboundQoS2],
        _state.Connection is { } connection ? new SessionAttachment(connection, _state.OwnedFrom, _state.ConnectionRange, _state.StartedClean) : null);
}
