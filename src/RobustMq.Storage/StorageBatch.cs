namespace RobustMq.Storage;

/// <summary>
/// Changes applied together by <see cref="IStorageEngine.WriteAsync"/>, in the order added: appends to shards,
/// committed offsets, trims, whole-shard deletes, keyed puts and deletes. Not thread-safe; not reused after a write.
/// Values are not copied: the caller must not change them until the write completes.
/// </summary>
public sealed class StorageBatch
{
    private readonly List<StorageOperation> _operations = [];

    /// <summary>The operations in the order added.</summary>
    public IReadOnlyList<StorageOperation> Operations => _operations;

    /// <summary>How many <see cref="Append"/> operations the batch holds (the length of the write's offsets).</summary>
    public int AppendCount { get; private set; }

    public bool IsEmpty => _operations.Count == 0;

    /// <summary>Appends <paramref name="value"/> to <paramref name="shard"/>, stamped with <paramref name="timestampUnixMs"/> (used by age retention).</summary>
    public StorageBatch Append(string shard, ReadOnlyMemory<byte> value, long timestampUnixMs)
    {
        StorageNames.CheckShard(shard);
        _operations.Add(new StorageOperation(StorageOperationKind.Append, shard, null, value, timestampUnixMs));
        AppendCount++;
        return this;
    }

    /// <summary>Records that <paramref name="consumer"/> wants <paramref name="shard"/> from <paramref name="nextOffset"/> on.</summary>
    public StorageBatch Commit(string shard, string consumer, long nextOffset)
    {
        StorageNames.CheckShard(shard);
        ArgumentException.ThrowIfNullOrEmpty(consumer);
        ArgumentOutOfRangeException.ThrowIfNegative(nextOffset);
        _operations.Add(new StorageOperation(StorageOperationKind.Commit, shard, consumer, default, nextOffset));
        return this;
    }

    /// <summary>Removes the records of <paramref name="shard"/> below <paramref name="offset"/> (no effect at or below its start; past its end, all).</summary>
    public StorageBatch TrimBefore(string shard, long offset)
    {
        StorageNames.CheckShard(shard);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        _operations.Add(new StorageOperation(StorageOperationKind.TrimBefore, shard, null, default, offset));
        return this;
    }

    /// <summary>Removes <paramref name="shard"/> whole: records and committed offsets; its offsets start from 0 again.</summary>
    public StorageBatch DeleteShard(string shard)
    {
        StorageNames.CheckShard(shard);
        _operations.Add(new StorageOperation(StorageOperationKind.DeleteShard, shard, null, default, 0));
        return this;
    }

    /// <summary>Sets the value under <paramref name="key"/> in <paramref name="space"/>.</summary>
    public StorageBatch Put(string space, string key, ReadOnlyMemory<byte> value)
    {
        StorageNames.CheckSpace(space);
        StorageNames.CheckKey(key);
        _operations.Add(new StorageOperation(StorageOperationKind.Put, space, key, value, 0));
        return this;
    }

    /// <summary>Removes <paramref name="key"/> from <paramref name="space"/> (no effect when absent).</summary>
    public StorageBatch Delete(string space, string key)
    {
        StorageNames.CheckSpace(space);
        StorageNames.CheckKey(key);
        _operations.Add(new StorageOperation(StorageOperationKind.Delete, space, key, default, 0));
        return this;
    }
}
