using RobustMq.Abstractions.Routing;
using RobustMq.Protocol.Topics;

namespace RobustMq.Gateway.Routing;

/// <summary>
/// The node-local replica of the route table, fed by topic shards through the node's dispatcher and read
/// by every publish on this node without a grain call. Many readers, rare writers.
/// <para>
/// Each shard's pushes carry its epoch and version (<see cref="RouteBatch"/>): they are applied in order, and a push
/// that does not follow the last one applied (one was missed, or the shard's grain started anew) marks the shard
/// behind: <see cref="ShardBehind"/> fires and <see cref="RouteSync"/> loads its snapshot. While a shard is being
/// loaded (<see cref="BeginSync"/> .. <see cref="CompleteSync"/>) its pushes wait, and those newer than the snapshot
/// are applied after it.
/// </para>
/// </summary>
public sealed class RouteCache : IRouteReplica
{
    private readonly TopicTrie<RouteEntry> _trie = new();
    private readonly HashSet<RouteEntry> _present = [];
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly ShardState[] _shards = CreateShards();

    /// <summary>A shard missed a push (or is new to this node) and is not being loaded yet: its number. Raised outside the lock.</summary>
    // Routes added so far (under the write lock): see Match.
    private long _additions;

    public event Action<int>? ShardBehind;

    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _trie.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Changes that no shard pushed (a local SUBSCRIBE ahead of its shard): applied as they are, with no version.</summary>
    public void Apply(RouteChange[] changes)
    {
        _lock.EnterWriteLock();
        try
        {
            ApplyLocked(changes);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// One shard's pushed changes: applied if they follow the last applied (true), else held (false) while the shard
    /// loads, or the shard is behind and a load is asked for (<see cref="ShardBehind"/>).
    /// </summary>
    public bool Apply(RouteBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        bool behind;
        _lock.EnterWriteLock();
        try
        {
            var shard = _shards[batch.Shard];
            if (shard.Waiting is { } waiting)
            {
                waiting.Add(batch);
                // Behind with no load under way (the last one failed): each push asks for another.
                behind = !shard.Loading;
                if (!behind)
                {
                    return false;
                }
            }
            else
            {
                if (batch.Epoch == shard.Epoch && batch.Version <= shard.Version)
                {
                    // Already in what was applied (a snapshot taken after it, or a late retry).
                    return true;
                }

                behind = batch.Epoch != shard.Epoch || batch.Version != shard.Version + 1;
                if (behind)
                {
                    shard.Waiting = [batch];
                }
                else
                {
                    ApplyLocked(batch.Changes);
                    shard.Version = batch.Version;
                }
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        if (behind)
        {
            ShardBehind?.Invoke(batch.Shard);
        }

        return !behind;
    }

    /// <summary>
    /// The shard's whole table from its grain, for a push this replica was behind on (<see cref="Apply"/> false): the
    /// shard's routes become the snapshot's and the held pushes that follow are applied, unless the replica already
    /// has this activation's version or a later one. A load under way (<see cref="BeginSync"/>) goes on; its older
    /// snapshot then changes nothing (<see cref="CompleteSync"/>).
    /// </summary>
    public void Load(RouteSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _lock.EnterWriteLock();
        try
        {
            var state = _shards[snapshot.Shard];
            if (state.Epoch == snapshot.Epoch && state.Version >= snapshot.Version)
            {
                return;
            }

            // Held pushes of another activation are older than this table, which the live one sent with its push.
            state.Waiting?.RemoveAll(batch => batch.Epoch != snapshot.Epoch);
            var caughtUp = LoadLocked(state, snapshot);
            if (!state.Loading)
            {
                state.Waiting = caughtUp ? null : [];
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Starts loading <paramref name="shard"/>: its pushes wait until <see cref="CompleteSync"/>. False when it is
    /// already loading (another caller owns the load).
    /// </summary>
    public bool BeginSync(int shard)
    {
        _lock.EnterWriteLock();
        try
        {
            var state = _shards[shard];
            if (state.Loading)
            {
                return false;
            }

            state.Loading = true;
            state.Waiting ??= [];
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Makes the shard's routes those of <paramref name="snapshot"/>, then applies the pushes that waited and are newer;
    /// true when they followed on from it, false when the shard is still behind (the caller loads it again).
    /// </summary>
    public bool CompleteSync(RouteSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _lock.EnterWriteLock();
        try
        {
            var state = _shards[snapshot.Shard];
            bool caughtUp;
            if (state.Epoch == snapshot.Epoch && state.Version > snapshot.Version)
            {
                // The shard sent a newer table meanwhile (Load): this one is older, and changes nothing.
                caughtUp = ApplyWaitingLocked(state);
            }
            else
            {
                caughtUp = LoadLocked(state, snapshot);
            }

            state.Loading = false;
            state.Waiting = caughtUp ? null : [];
            return caughtUp;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Makes the shard's routes those of <paramref name="snapshot"/> and applies the held pushes that follow; true when none is missing.</summary>
    private bool LoadLocked(ShardState state, RouteSnapshot snapshot)
    {
        var wanted = new HashSet<RouteEntry>(snapshot.Routes);
        var stale = new List<RouteEntry>();
        foreach (var entry in _present)
        {
            if (TopicShards.ShardOf(entry.Filter) == snapshot.Shard && !wanted.Contains(entry))
            {
                stale.Add(entry);
            }
        }

        foreach (var entry in stale)
        {
            _present.Remove(entry);
            _trie.Remove(entry.Filter, entry);
        }

        foreach (var entry in snapshot.Routes)
        {
            if (_present.Add(entry))
            {
                _trie.Add(entry.Filter, entry);
                _additions++;
            }
        }

        state.Epoch = snapshot.Epoch;
        state.Version = snapshot.Version;
        return ApplyWaitingLocked(state);
    }

    /// <summary>Applies the held pushes of the shard's epoch that follow its version, in order; false when one is missing.</summary>
    private bool ApplyWaitingLocked(ShardState state)
    {
        var waiting = state.Waiting ?? [];
        waiting.Sort((a, b) => a.Version.CompareTo(b.Version));
        var caughtUp = true;
        foreach (var batch in waiting)
        {
            if (batch.Epoch != state.Epoch)
            {
                caughtUp = false;
                continue;
            }

            if (batch.Version <= state.Version)
            {
                continue;
            }

            if (batch.Version != state.Version + 1)
            {
                caughtUp = false;
                break;
            }

            ApplyLocked(batch.Changes);
            state.Version = batch.Version;
        }

        return caughtUp;
    }

    /// <summary>Gives up a load begun with <see cref="BeginSync"/> (the snapshot could not be read): the shard stays behind, its pushes keep waiting.</summary>
    public void AbandonSync(int shard)
    {
        _lock.EnterWriteLock();
        try
        {
            _shards[shard].Loading = false;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>True once a snapshot of the shard has been loaded and no load is owed (the shard is not behind).</summary>
    public bool IsLoaded(int shard)
    {
        _lock.EnterReadLock();
        try
        {
            var state = _shards[shard];
            return state.Epoch != Guid.Empty && state.Waiting is null;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>True when the cache holds <paramref name="version"/> of the shard and is not waiting on a load.</summary>
    public bool IsCurrent(int shard, RouteVersion version)
    {
        _lock.EnterReadLock();
        try
        {
            var state = _shards[shard];
            return state.Waiting is null && state.Epoch == version.Epoch && state.Version >= version.Version;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private void ApplyLocked(RouteChange[] changes)
    {
        foreach (var change in changes)
        {
            if (change.Add)
            {
                // Idempotent: a local subscribe may have put the entry here ahead of its shard.
                if (_present.Add(change.Entry))
                {
                    _trie.Add(change.Entry.Filter, change.Entry);
                    _additions++;
                }
            }
            else if (_present.Remove(change.Entry))
            {
                _trie.Remove(change.Entry.Filter, change.Entry);
            }
        }
    }

    private static ShardState[] CreateShards()
    {
        var shards = new ShardState[TopicShards.Count];
        for (var i = 0; i < shards.Length; i++)
        {
            shards[i] = new ShardState();
        }

        return shards;
    }

    /// <summary>Where one shard's pushes stand in this cache.</summary>
    private sealed class ShardState
    {
        /// <summary>The epoch of the last snapshot loaded (empty: none yet).</summary>
        public Guid Epoch;
        public long Version;

        /// <summary>Pushes held while the shard is behind or loading; null when it is current.</summary>
        public List<RouteBatch>? Waiting;

        /// <summary>A load is under way (<see cref="BeginSync"/>).</summary>
        public bool Loading;
    }

    /// <summary>
    /// Drop a local client's routes for a filter at once, ahead of the authoritative removal that follows
    /// through its topic shard: after UNSUBSCRIBE, this node stops delivering without waiting for grains.
    /// </summary>
    public void RemoveClient(string filter, string clientId, string? shareGroup)
    {
        _lock.EnterWriteLock();
        try
        {
            var existing = _trie.ValuesAt(filter);
            for (var i = existing.Count - 1; i >= 0; i--)
            {
                var entry = existing[i];
                if (entry.ClientId == clientId && entry.ShareGroup == shareGroup)
                {
                    _present.Remove(entry);
                    _trie.Remove(filter, entry);
                }
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Append every route whose filter matches <paramref name="topic"/>; returns how many routes were added to this cache
    /// so far, as of that match (a publisher whose earlier deliveries are still under way compares it, since a client
    /// reached another way than before, after it moved, could otherwise get a later message first).
    /// </summary>
    public long Match(string topic, List<RouteEntry> results)
    {
        _lock.EnterReadLock();
        try
        {
            _trie.Match(topic, results);
            return _additions;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public List<RouteEntry> Snapshot()
    {
        _lock.EnterReadLock();
        try
        {
            var all = new List<RouteEntry>(_trie.Count);
            foreach (var (_, entry) in _trie.Entries())
            {
                all.Add(entry);
            }

            return all;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }
}
