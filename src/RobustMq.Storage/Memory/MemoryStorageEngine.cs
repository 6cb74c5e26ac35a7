using System.Runtime.CompilerServices;

namespace RobustMq.Storage.Memory;

/// <summary>
/// The volatile backend and the reference for the others (the conformance suite runs the same tests on each): every
/// shard and space in memory under one lock; a write is applied whole or not at all and copies the values it keeps.
/// </summary>
public sealed class MemoryStorageEngine : IStorageEngine
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, MemoryShard> _shards = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, byte[]>> _spaces = new(StringComparer.Ordinal);
    private bool _disposed;

    public StorageSync Sync => StorageSync.Volatile;

    public ValueTask<StorageWriteResult> WriteAsync(StorageBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        var offsets = batch.AppendCount == 0 ? [] : new long[batch.AppendCount];
        var appended = 0;
        lock (_lock)
        {
            ThrowIfDisposed();
            foreach (var op in batch.Operations)
            {
                switch (op.Kind)
                {
                    case StorageOperationKind.Append:
                        offsets[appended++] = Shard(op.Target).Append(op.Value.ToArray(), op.Number);
                        break;
                    case StorageOperationKind.Commit:
                        Shard(op.Target).Committed[op.Key!] = op.Number;
                        break;
                    case StorageOperationKind.TrimBefore:
                        if (_shards.TryGetValue(op.Target, out var trimmed))
                        {
                            trimmed.TrimBefore(op.Number);
                        }

                        break;
                    case StorageOperationKind.DeleteShard:
                        _shards.Remove(op.Target);
                        break;
                    case StorageOperationKind.Put:
                        Space(op.Target)[op.Key!] = op.Value.ToArray();
                        break;
                    case StorageOperationKind.Delete:
                        if (_spaces.TryGetValue(op.Target, out var space))
                        {
                            space.Remove(op.Key!);
                        }

                        break;
                    default:
                        throw new ArgumentOutOfRangeException(nameof(batch), op.Kind, "unknown storage operation");
                }
            }
        }

        return ValueTask.FromResult(offsets.Length == 0 ? StorageWriteResult.NoAppends : new StorageWriteResult(offsets));
    }

    public ValueTask<IReadOnlyList<StoredRecord>> ReadAsync(string shard, long fromOffset, int maxRecords, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckShard(shard);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRecords);
        lock (_lock)
        {
            ThrowIfDisposed();
            IReadOnlyList<StoredRecord> records = _shards.TryGetValue(shard, out var s) ? s.Read(fromOffset, maxRecords) : [];
            return ValueTask.FromResult(records);
        }
    }

    public ValueTask<ShardBounds> GetBoundsAsync(string shard, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckShard(shard);
        lock (_lock)
        {
            ThrowIfDisposed();
            return ValueTask.FromResult(_shards.TryGetValue(shard, out var s) ? new ShardBounds(s.Low, s.Next) : default);
        }
    }

    public ValueTask<long?> GetCommittedAsync(string shard, string consumer, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckShard(shard);
        lock (_lock)
        {
            ThrowIfDisposed();
            return ValueTask.FromResult(_shards.TryGetValue(shard, out var s) && s.Committed.TryGetValue(consumer, out var offset) ? offset : (long?)null);
        }
    }

    public ValueTask<IReadOnlyList<ConsumerOffset>> ListCommittedAsync(string shard, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckShard(shard);
        lock (_lock)
        {
            ThrowIfDisposed();
            return ValueTask.FromResult(_shards.TryGetValue(shard, out var s) ? ConsumerOffsets.Sorted(s.Committed) : ConsumerOffsets.None);
        }
    }

    public ValueTask<long> ApplyRetentionAsync(string shard, RetentionPolicy policy, long nowUnixMs, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckShard(shard);
        ArgumentNullException.ThrowIfNull(policy);
        lock (_lock)
        {
            ThrowIfDisposed();
            if (!_shards.TryGetValue(shard, out var s))
            {
                return ValueTask.FromResult(0L);
            }

            s.TrimBefore(Retention.FirstKept(s.Records, s.Low, policy, nowUnixMs));
            return ValueTask.FromResult(s.Low);
        }
    }

    public ValueTask<byte[]?> GetAsync(string space, string key, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckSpace(space);
        lock (_lock)
        {
            ThrowIfDisposed();
            return ValueTask.FromResult(_spaces.TryGetValue(space, out var s) && s.TryGetValue(key, out var value) ? value : null);
        }
    }

    public async IAsyncEnumerable<StoredEntry> ScanAsync(string space, string keyPrefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StorageNames.CheckSpace(space);
        List<StoredEntry> entries = [];
        lock (_lock)
        {
            ThrowIfDisposed();
            if (_spaces.TryGetValue(space, out var s))
            {
                foreach (var (key, value) in s)
                {
                    if (key.StartsWith(keyPrefix, StringComparison.Ordinal))
                    {
                        entries.Add(new StoredEntry(key, value));
                    }
                }
            }
        }

        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }

        await Task.CompletedTask;
    }

    public async IAsyncEnumerable<string> ListShardsAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<string> names;
        lock (_lock)
        {
            ThrowIfDisposed();
            names = [.. _shards.Keys.Where(n => n.StartsWith(prefix, StringComparison.Ordinal))];
        }

        names.Sort(StringComparer.Ordinal);
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
        }

        await Task.CompletedTask;
    }

    public ValueTask<IReadOnlyList<SpaceUsage>> ListSpacesAsync(long maxKeys = SpaceUsage.DefaultMaxKeys, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeys, 1);
        var found = new List<SpaceUsage>();
        lock (_lock)
        {
            ThrowIfDisposed();
            foreach (var (name, space) in _spaces)
            {
                if (space.Count > 0)
                {
                    long bytes = 0;
                    foreach (var value in space.Values)
                    {
                        bytes += value.Length;
                    }

                    found.Add(new SpaceUsage(name, space.Count, bytes, KeysAtLeast: false));
                }
            }
        }

        found.Sort((a, b) => string.CompareOrdinal(a.Space, b.Space));
        return ValueTask.FromResult<IReadOnlyList<SpaceUsage>>(found);
    }

    public ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _disposed = true;
            _shards.Clear();
            _spaces.Clear();
        }

        return ValueTask.CompletedTask;
    }

    private MemoryShard Shard(string name)
    {
        if (!_shards.TryGetValue(name, out var shard))
        {
            _shards[name] = shard = new MemoryShard();
        }

        return shard;
    }

    private SortedDictionary<string, byte[]> Space(string name)
    {
        if (!_spaces.TryGetValue(name, out var space))
        {
            _spaces[name] = space = new SortedDictionary<string, byte[]>(KeyOrder.Utf8);
        }

        return space;
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new StorageException(StorageErrorKind.Closed, "the storage engine is disposed");
        }
    }
}
