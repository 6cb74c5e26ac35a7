namespace RobustMq.Storage.Segment;

/// <summary>
/// The in-memory state of the Segment log, rebuilt on open by replaying every record: the segment files in log
/// order, each shard's records (dense offset → location index) and committed offsets, each space's latest value
/// locations in UTF-8 key order. Values stay in the files. Not thread-safe: the engine guards it with its lock.
/// </summary>
internal sealed class SegmentIndex
{
    public List<SegmentFile> Files { get; } = [];

    public Dictionary<string, SegmentShard> Shards { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, SortedDictionary<string, SegmentLocation>> Spaces { get; } = new(StringComparer.Ordinal);

    /// <summary>The offset the next append to <paramref name="shard"/> gets (0 for a shard that does not exist).</summary>
    public long NextOf(string shard) => Shards.TryGetValue(shard, out var s) ? s.Next : 0;

    /// <summary>
    /// Applies one op of a record that starts at <paramref name="recordPosition"/> of <paramref name="file"/>. Shard
    /// offsets are taken from the op (the writer assigned them), so replay gives the offsets the writer gave.
    /// </summary>
    public void Apply(in LogOp op, SegmentFile file, long recordPosition)
    {
        switch (op.Kind)
        {
            case (byte)StorageOperationKind.Append:
                if (!Shards.TryGetValue(op.Target, out var appended))
                {
                    Shards[op.Target] = appended = new SegmentShard(op.Number);
                }
                else if (appended.Next != op.Number)
                {
                    // Only a log whose earlier part was deleted can get here; the op's offset is the truth.
                    appended.Restart(op.Number);
                }

                appended.Append(new SegmentLocation(file, recordPosition + op.ValuePosition, op.ValueLength, op.Number2));
                break;
            case (byte)StorageOperationKind.Commit:
                Shard(op.Target).Committed[op.Key!] = op.Number;
                break;
            case (byte)StorageOperationKind.TrimBefore:
                if (Shards.TryGetValue(op.Target, out var trimmed))
                {
                    trimmed.TrimBefore(op.Number);
                }

                break;
            case (byte)StorageOperationKind.DeleteShard:
                if (Shards.Remove(op.Target, out var deleted))
                {
                    deleted.Clear();
                }

                break;
            case (byte)StorageOperationKind.Put:
                var space = Space(op.Target);
                if (space.TryGetValue(op.Key!, out var replaced))
                {
                    Release(replaced);
                }

                space[op.Key!] = new SegmentLocation(file, recordPosition + op.ValuePosition, op.ValueLength, 0);
                file.LiveKeys++;
                file.LiveKeyBytes += op.ValueLength;
                break;
            case (byte)StorageOperationKind.Delete:
                if (Spaces.TryGetValue(op.Target, out var from) && from.Remove(op.Key!, out var removed))
                {
                    Release(removed);
                }

                break;
            case SegmentRecordFormat.ShardStateKind:
                ApplyShardState(op);
                break;
            default:
                throw new InvalidOperationException($"unknown log op kind {op.Kind}");
        }
    }

    /// <summary>The checkpoint ops of every shard: its low, next and committed offsets.</summary>
    public void AddShardStates(List<LogOp> ops)
    {
        foreach (var (name, shard) in Shards)
        {
            ops.Add(new LogOp(SegmentRecordFormat.ShardStateKind, name, null, shard.Low, shard.Next, default, 0, 0, [.. shard.Committed]));
        }
    }

    private void ApplyShardState(in LogOp op)
    {
        if (!Shards.TryGetValue(op.Target, out var shard))
        {
            Shards[op.Target] = shard = new SegmentShard(op.Number2);
        }
        else
        {
            shard.TrimBefore(op.Number);
            if (shard.Next != op.Number2)
            {
                shard.Restart(op.Number2);
            }
        }

        shard.Committed.Clear();
        foreach (var (consumer, offset) in op.Commits ?? [])
        {
            shard.Committed[consumer] = offset;
        }
    }

    private static void Release(SegmentLocation location)
    {
        location.File.LiveKeys--;
        location.File.LiveKeyBytes -= location.Length;
    }

    private SegmentShard Shard(string name)
    {
        if (!Shards.TryGetValue(name, out var shard))
        {
            Shards[name] = shard = new SegmentShard(0);
        }

        return shard;
    }

    private SortedDictionary<string, SegmentLocation> Space(string name)
    {
        if (!Spaces.TryGetValue(name, out var space))
        {
            Spaces[name] = space = new SortedDictionary<string, SegmentLocation>(KeyOrder.Utf8);
        }

        return space;
    }
}
