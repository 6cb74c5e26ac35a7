using System.Text;
using RocksDbSharp;

namespace RobustMq.Storage.RocksDb;

/// <summary>The committer thread: takes what is queued, writes it as one group, completes every waiter.</summary>
public sealed partial class RocksDbStorageEngine
{
    /// <summary>Trims of at most this many records delete each key; longer ones use one range deletion.</summary>
    private const int PointDeleteLimit = 256;

    private readonly RocksDbShardTable _shardTable;

    private void RunCommitter()
    {
        var group = new List<RocksDbPending>();
        while (true)
        {
            lock (_queueLock)
            {
                while ((_queue.Count == 0 || _paused) && !_closing)
                {
                    Monitor.Wait(_queueLock);
                }

                if (_closing)
                {
                    break;
                }

                TakeGroup(group);
            }

            if (group[0].Batch is null)
            {
                Retain(group[0]);
            }
            else
            {
                Commit(group);
            }

            group.Clear();
        }

        _committerDone.TrySetResult();
    }

    /// <summary>
    /// Moves the next group out of the queue: a retention pass alone, or writes in queue order up to the group limits
    /// (at least one), stopping before a retention pass.
    /// </summary>
    private void TakeGroup(List<RocksDbPending> group)
    {
        if (_queue.Peek().Batch is null)
        {
            group.Add(_queue.Dequeue());
            return;
        }

        long bytes = 0;
        while (_queue.TryPeek(out var next) && next.Batch is not null
               && (group.Count == 0 || (group.Count < MaxGroupWrites && bytes + next.Bytes <= MaxGroupBytes)))
        {
            bytes += next.Bytes;
            group.Add(_queue.Dequeue());
        }
    }

    /// <summary>Applies every write of <paramref name="group"/> into one WriteBatch and writes it (one fsync when Sync is Always).</summary>
    private void Commit(List<RocksDbPending> group)
    {
        var offsets = new long[group.Count][];
        try
        {
            ReopenAfterFailedWrite();
            using var batch = new WriteBatch();
            for (var i = 0; i < group.Count; i++)
            {
                offsets[i] = Apply(group[i].Batch!, batch);
            }

            Write(batch);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _shardTable.Rollback();
            _writeFailed = true;
            var failure = RocksDbErrors.Failed("write", _path, e);
            foreach (var pending in group)
            {
                pending.Completion.TrySetException(failure);
            }

            return;
        }

        for (var i = 0; i < group.Count; i++)
        {
            group[i].Completion.TrySetResult(offsets[i].Length == 0 ? StorageWriteResult.NoAppends : new StorageWriteResult(offsets[i]));
        }
    }

    /// <summary>
    /// Runs one retention pass: everything queued before it is on disk, so the records read here are the shard as
    /// the writers see it. Cuts where <see cref="Retention.FirstKept"/> says, exactly as the Memory backend does.
    /// </summary>
    private void Retain(RocksDbPending pending)
    {
        var shard = pending.RetentionShard!;
        try
        {
            ReopenAfterFailedWrite();
            long low = 0;
            if (_shardTable.Get(shard) is { } bounds)
            {
                var records = ReadRecords(shard, bounds.Low, bounds.Count);
                var first = Retention.FirstKept(records, bounds.Low, pending.Policy!, pending.NowUnixMs);
                using var batch = new WriteBatch();
                Trim(shard, first, batch);
                if (batch.Count() > 0)
                {
                    Write(batch);
                }

                low = _shardTable.Get(shard)?.Low ?? 0;
                _shardTable.Commit();
            }

            pending.Completion.TrySetResult(new StorageWriteResult([low]));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _shardTable.Rollback();
            _writeFailed = true;
            pending.Completion.TrySetException(RocksDbErrors.Failed("retention", _path, e));
        }
    }

    /// <summary>Writes the shard bounds this group changed into <paramref name="batch"/>, writes it, and makes the bounds current.</summary>
    private void Write(WriteBatch batch)
    {
        foreach (var (shard, bounds) in _shardTable.Changes)
        {
            var key = Encoding.UTF8.GetBytes(shard);
            if (bounds is { } b)
            {
                batch.Put(key, RocksDbKeys.Bounds(b), _shards);
            }
            else
            {
                batch.Delete(key, _shards);
            }
        }

        BeforeGroupWrite?.Invoke();
        _db!.Write(batch, _writeOptions);
        _writeFailed = false;
        _shardTable.Commit();
        Interlocked.Increment(ref _groups);
    }

    /// <summary>Adds the operations of one <see cref="StorageBatch"/> to <paramref name="batch"/> in order; returns its offsets.</summary>
    private long[] Apply(StorageBatch storageBatch, WriteBatch batch)
    {
        var offsets = storageBatch.AppendCount == 0 ? [] : new long[storageBatch.AppendCount];
        var appended = 0;
        foreach (var op in storageBatch.Operations)
        {
            switch (op.Kind)
            {
                case StorageOperationKind.Append:
                    var bounds = _shardTable.Get(op.Target) ?? default;
                    batch.Put(RocksDbKeys.Record(op.Target, bounds.Next), RocksDbKeys.RecordValue(op.Number, op.Value.Span), _records);
                    _shardTable.Set(op.Target, bounds with { Next = bounds.Next + 1 });
                    offsets[appended++] = bounds.Next;
                    break;
                case StorageOperationKind.Commit:
                    _shardTable.Set(op.Target, _shardTable.Get(op.Target) ?? default);
                    batch.Put(RocksDbKeys.Commit(op.Target, op.Key!), RocksDbKeys.Int64(op.Number), _commits);
                    break;
                case StorageOperationKind.TrimBefore:
                    Trim(op.Target, op.Number, batch);
                    break;
                case StorageOperationKind.DeleteShard:
                    if (_shardTable.Get(op.Target) is not null)
                    {
                        DeleteRange(batch, RocksDbKeys.ShardPrefix(op.Target), RocksDbKeys.ShardEnd(op.Target), _records);
                        DeleteRange(batch, RocksDbKeys.ShardPrefix(op.Target), RocksDbKeys.ShardEnd(op.Target), _commits);
                        _shardTable.Set(op.Target, null);
                    }

                    break;
                case StorageOperationKind.Put:
                    batch.Put(Encoding.UTF8.GetBytes(op.Key!), op.Value.Span, Space(op.Target, create: true)!);
                    break;
                case StorageOperationKind.Delete:
                    if (Space(op.Target, create: false) is { } space)
                    {
                        batch.Delete(Encoding.UTF8.GetBytes(op.Key!), space);
                    }

                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(storageBatch), op.Kind, "unknown storage operation");
            }
        }

        return offsets;
    }

    /// <summary>Removes the records of <paramref name="shard"/> below <paramref name="offset"/> (clamped to its bounds) and moves its low.</summary>
    private void Trim(string shard, long offset, WriteBatch batch)
    {
        if (_shardTable.Get(shard) is not { } bounds)
        {
            return;
        }

        var low = Math.Min(Math.Max(offset, bounds.Low), bounds.Next);
        if (low == bounds.Low)
        {
            return;
        }

        if (low - bounds.Low <= PointDeleteLimit)
        {
            for (var o = bounds.Low; o < low; o++)
            {
                batch.Delete(RocksDbKeys.Record(shard, o), _records);
            }
        }
        else
        {
            DeleteRange(batch, RocksDbKeys.Record(shard, bounds.Low), RocksDbKeys.Record(shard, low), _records);
        }

        _shardTable.Set(shard, bounds with { Low = low });
    }

    /// <summary>The column family of <paramref name="space"/>; created when <paramref name="create"/> and missing, else null.</summary>
    private ColumnFamilyHandle? Space(string space, bool create)
    {
        if (_spaces.TryGetValue(space, out var handle) || !create)
        {
            return handle;
        }

        handle = _db!.CreateColumnFamily(_familyOptions, RocksDbKeys.SpaceFamily(space));
        _spaces[space] = handle;
        return handle;
    }

    private ShardBounds? LoadBounds(string shard)
    {
        var bytes = _db!.Get(Encoding.UTF8.GetBytes(shard), _shards);
        return bytes is null ? null : RocksDbKeys.ReadBounds(bytes);
    }

    private static void DeleteRange(WriteBatch batch, byte[] from, byte[] to, ColumnFamilyHandle family) =>
        batch.DeleteRange(from, (ulong)from.Length, to, (ulong)to.Length, family);
}
