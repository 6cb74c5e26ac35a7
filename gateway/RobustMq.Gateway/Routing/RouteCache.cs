using RobustMq.Abstractions.Routing;
using RobustMq.Protocol.Topics;

namespace RobustMq.Gateway.Routing;

/// <summary>
/// The node-local replica of the route table, fed by topic shards through the node's dispatcher and read
/// by every publish on this node without a grain call. Many readers, rare writers.
/// </summary>
public sealed class RouteCache : IRouteReplica
{
    private readonly TopicTrie<RouteEntry> _trie = new();
    private readonly HashSet<RouteEntry> _present = [];
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);

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

    public void Apply(RouteChange[] changes)
    {
        _lock.EnterWriteLock();
        try
        {
            foreach (var change in changes)
            {
                if (change.Add)
                {
                    // Idempotent: a local subscribe may have put the entry here ahead of its shard.
                    if (_present.Add(change.Entry))
                    {
                        _trie.Add(change.Entry.Filter, change.Entry);
                    }
                }
                else if (_present.Remove(change.Entry))
                {
                    _trie.Remove(change.Entry.Filter, change.Entry);
                }
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
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

    /// <summary>Append every route whose filter matches <paramref name="topic"/>.</summary>
    public void Match(string topic, List<RouteEntry> results)
    {
        _lock.EnterReadLock();
        try
        {
            _trie.Match(topic, results);
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
