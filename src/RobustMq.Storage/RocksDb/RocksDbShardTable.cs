namespace RobustMq.Storage.RocksDb;

/// <summary>
/// The committer's view of shard bounds: what is on disk (loaded lazily, cached) plus the changes of the group being
/// built. Only the committer thread uses it, so it needs no lock. A group that fails to write is rolled back, so the
/// cache always equals the <c>shards</c> column family.
/// </summary>
/// <param name="load">Reads a shard's bounds from disk; null when the shard does not exist.</param>
internal sealed class RocksDbShardTable(Func<string, ShardBounds?> load)
{
    private readonly Dictionary<string, ShardBounds?> _stored = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ShardBounds?> _group = new(StringComparer.Ordinal);

    /// <summary>The shards this group changed, with their new bounds (null: deleted).</summary>
    public IEnumerable<KeyValuePair<string, ShardBounds?>> Changes => _group;

    /// <summary>The bounds of <paramref name="shard"/> as of the writes applied so far; null when it does not exist.</summary>
    public ShardBounds? Get(string shard)
    {
        if (_group.TryGetValue(shard, out var bounds) || _stored.TryGetValue(shard, out bounds))
        {
            return bounds;
        }

        bounds = load(shard);
        _stored[shard] = bounds;
        return bounds;
    }

    /// <summary>Sets the bounds of <paramref name="shard"/> in this group (null deletes it).</summary>
    public void Set(string shard, ShardBounds? bounds) => _group[shard] = bounds;

    /// <summary>The group was written: its changes are what is on disk now.</summary>
    public void Commit()
    {
        foreach (var (shard, bounds) in _group)
        {
            if (bounds is null)
            {
                // Forget deleted shards instead of caching their absence: the cache stays as small as the live set.
                _stored.Remove(shard);
            }
            else
            {
                _stored[shard] = bounds;
            }
        }

        _group.Clear();
    }

    /// <summary>The group failed: forget its changes (nothing of it is on disk).</summary>
    public void Rollback() => _group.Clear();

    /// <summary>Forgets everything cached (the database was reopened): bounds are read from disk again.</summary>
    public void Forget()
    {
        _group.Clear();
        _stored.Clear();
    }
}
