using System.Runtime.CompilerServices;
using System.Text;
using RocksDbSharp;

namespace RobustMq.Storage.RocksDb;

/// <summary>Reads: straight from RocksDB under the read side of the gate that <see cref="DisposeAsync"/> closes.</summary>
public sealed partial class RocksDbStorageEngine
{
    /// <summary>How many entries a scan or a shard listing reads per visit to the database.</summary>
    private const int ScanChunk = 256;

    public ValueTask<IReadOnlyList<StoredRecord>> ReadAsync(string shard, long fromOffset, int maxRecords, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckShard(shard);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRecords);
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<StoredRecord> records = Guarded("read", () =>
        {
            if (ReadBounds(shard) is not { } bounds)
            {
                return [];
            }

            var from = Math.Max(fromOffset, bounds.Low);
            return ReadRecords(shard, from, Math.Min(maxRecords, bounds.Next - from));
        });
        return ValueTask.FromResult(records);
    }

    public ValueTask<ShardBounds> GetBoundsAsync(string shard, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckShard(shard);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Guarded("read", () => ReadBounds(shard) ?? default));
    }

    public ValueTask<long?> GetCommittedAsync(string shard, string consumer, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckShard(shard);
        ArgumentNullException.ThrowIfNull(consumer);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Guarded("read", () =>
        {
            var bytes = _db!.Get(RocksDbKeys.Commit(shard, consumer), _commits);
            return bytes is null ? (long?)null : RocksDbKeys.ReadInt64(bytes);
        }));
    }

    public ValueTask<IReadOnlyList<ConsumerOffset>> ListCommittedAsync(string shard, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckShard(shard);
        cancellationToken.ThrowIfCancellationRequested();
        var prefix = RocksDbKeys.ShardPrefix(shard);
        return ValueTask.FromResult<IReadOnlyList<ConsumerOffset>>(Guarded("read", () =>
        {
            // Keys are shard, 0x00, consumer: the prefix's range holds exactly this shard's consumers, in byte order.
            var found = new List<ConsumerOffset>();
            using var iterator = _db!.NewIterator(_commits);
            for (iterator.Seek(prefix); iterator.Valid(); iterator.Next())
            {
                var key = iterator.GetKeySpan();
                if (!key.StartsWith(prefix))
                {
                    break;
                }

                found.Add(new ConsumerOffset(Encoding.UTF8.GetString(key[prefix.Length..]), RocksDbKeys.ReadInt64(iterator.GetValueSpan())));
            }

            return found;
        }));
    }

    public ValueTask<byte[]?> GetAsync(string space, string key, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckSpace(space);
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Guarded("read", () =>
            _spaces.TryGetValue(space, out var family) ? _db!.Get(Encoding.UTF8.GetBytes(key), family) : null));
    }

    public async IAsyncEnumerable<StoredEntry> ScanAsync(string space, string keyPrefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StorageNames.CheckSpace(space);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        var prefix = Encoding.UTF8.GetBytes(keyPrefix);
        var from = prefix;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = Guarded("scan", () => _spaces.TryGetValue(space, out var family) ? ScanChunkOf(family, prefix, from) : []);
            foreach (var (key, value) in chunk)
            {
                yield return new StoredEntry(Encoding.UTF8.GetString(key), value);
            }

            if (chunk.Count < ScanChunk)
            {
                break;
            }

            from = Successor(chunk[^1].Key);
            await Task.Yield();
        }
    }

    public async IAsyncEnumerable<string> ListShardsAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var bytes = Encoding.UTF8.GetBytes(prefix);
        var from = bytes;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = Guarded("list", () => ScanChunkOf(_shards, bytes, from));
            foreach (var (key, _) in chunk)
            {
                yield return Encoding.UTF8.GetString(key);
            }

            if (chunk.Count < ScanChunk)
            {
                break;
            }

            from = Successor(chunk[^1].Key);
            await Task.Yield();
        }
    }

    public async ValueTask<IReadOnlyList<SpaceUsage>> ListSpacesAsync(long maxKeys = SpaceUsage.DefaultMaxKeys, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeys, 1);
        var found = new List<SpaceUsage>();
        foreach (var name in _spaces.Keys.Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();

            // RocksDB keeps only estimates of a family's keys (rocksdb.estimate-num-keys counts overwrites and
            // tombstones): count by iterating, up to the cap. A space's family stays after its last key is deleted.
            var usage = Guarded("list spaces", () => _spaces.TryGetValue(name, out var family) ? CountSpace(name, family, maxKeys) : default);
            if (usage.Keys > 0)
            {
                found.Add(usage);
            }

            await Task.Yield();
        }

        return found;
    }

    /// <summary>The keys and value bytes of <paramref name="family"/>, counting no more than <paramref name="maxKeys"/> keys.</summary>
    private SpaceUsage CountSpace(string name, ColumnFamilyHandle family, long maxKeys)
    {
        long keys = 0;
        long bytes = 0;
        using var iterator = _db!.NewIterator(family);
        for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
        {
            if (keys == maxKeys)
            {
                return new SpaceUsage(name, keys, bytes, KeysAtLeast: true);
            }

            keys++;
            bytes += iterator.GetValueSpan().Length;
        }

        return new SpaceUsage(name, keys, bytes, KeysAtLeast: false);
    }

    /// <summary>Up to <paramref name="count"/> records of <paramref name="shard"/> from <paramref name="from"/> on (never past them: no stepping over other shards' tombstones).</summary>
    private List<StoredRecord> ReadRecords(string shard, long from, long count)
    {
        var records = new List<StoredRecord>((int)Math.Clamp(count, 0, 1024));
        if (count <= 0)
        {
            return records;
        }

        var prefix = RocksDbKeys.ShardPrefix(shard);
        using var iterator = _db!.NewIterator(_records);
        for (iterator.Seek(RocksDbKeys.Record(shard, from)); iterator.Valid(); iterator.Next())
        {
            var key = iterator.GetKeySpan();
            if (!key.StartsWith(prefix) || key.Length != prefix.Length + 8)
            {
                break;
            }

            records.Add(RocksDbKeys.ReadRecord(key, iterator.GetValueSpan()));
            if (records.Count == count)
            {
                break;
            }
        }

        return records;
    }

    private ShardBounds? ReadBounds(string shard)
    {
        var bytes = _db!.Get(Encoding.UTF8.GetBytes(shard), _shards);
        return bytes is null ? null : RocksDbKeys.ReadBounds(bytes);
    }

    /// <summary>Up to <see cref="ScanChunk"/> entries of <paramref name="family"/> from <paramref name="from"/> on whose keys start with <paramref name="prefix"/>.</summary>
    private List<(byte[] Key, byte[] Value)> ScanChunkOf(ColumnFamilyHandle family, byte[] prefix, byte[] from)
    {
        var entries = new List<(byte[] Key, byte[] Value)>();
        using var iterator = _db!.NewIterator(family);
        for (iterator.Seek(from); iterator.Valid() && entries.Count < ScanChunk; iterator.Next())
        {
            var key = iterator.GetKeySpan();
            if (!key.StartsWith(prefix))
            {
                break;
            }

            entries.Add((key.ToArray(), iterator.Value()));
        }

        return entries;
    }

    /// <summary>The first key after <paramref name="key"/> in byte order: <paramref name="key"/> followed by 0x00.</summary>
    private static byte[] Successor(byte[] key)
    {
        var next = new byte[key.Length + 1];
        key.CopyTo(next, 0);
        return next;
    }

    /// <summary>Runs <paramref name="read"/> while the database is open; Closed after dispose; RocksDB errors as <see cref="StorageException"/>.</summary>
    private T Guarded<T>(string what, Func<T> read)
    {
        _gate.EnterReadLock();
        try
        {
            if (Volatile.Read(ref _disposeStarted) == 1)
            {
                throw RocksDbErrors.Closed();
            }

            if (_db is null)
            {
                throw new StorageException(StorageErrorKind.Unavailable, $"RocksDB database '{_path}' is closed after a failed write and could not be opened again yet");
            }

            return read();
        }
        catch (RocksDbException e)
        {
            throw RocksDbErrors.Failed(what, _path, e);
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }
}
