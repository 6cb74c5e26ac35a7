namespace RobustMq.Storage.Segment;

/// <summary>Retention (a logged trim) and the deletion of segments with nothing live left.</summary>
public sealed partial class SegmentStorageEngine
{
    /// <summary>How many segment files compaction deleted (tests).</summary>
    internal long DeletedSegments { get; private set; }

    /// <summary>
    /// Moves the shard's low to the first offset <paramref name="policy"/> keeps (<see cref="Retention.FirstKept"/>)
    /// with a logged TrimBefore, then waits for the writer's compaction, which deletes the segments nothing live is
    /// left in. The returned low is exactly the policy's: records are never kept beyond it, even when their file is.
    /// </summary>
    /// <exception cref="StorageException">The trim could not be written (Full, Unavailable) or the engine is closed.</exception>
    public async ValueTask<long> ApplyRetentionAsync(string shard, RetentionPolicy policy, long nowUnixMs, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckShard(shard);
        ArgumentNullException.ThrowIfNull(policy);
        long firstKept;
        lock (_lock)
        {
            ThrowIfDisposed();
            if (!_index.Shards.TryGetValue(shard, out var s))
            {
                return 0;
            }

            firstKept = Retention.FirstKept(new RetentionView(s, Zeros(s)), s.Low, policy, nowUnixMs);
            if (firstKept <= s.Low)
            {
                return s.Low;
            }
        }

        await WriteAsync(new StorageBatch().TrimBefore(shard, firstKept), cancellationToken).ConfigureAwait(false);
        await Enqueue(PendingWrite.Barrier()).ConfigureAwait(false);
        var bounds = await GetBoundsAsync(shard, cancellationToken).ConfigureAwait(false);
        return bounds.Low;
    }

    /// <summary>A zero buffer at least as long as the longest value of <paramref name="shard"/> (retention only looks at lengths).</summary>
    private byte[] Zeros(SegmentShard shard)
    {
        var longest = 0;
        for (var offset = shard.Low; offset < shard.Next; offset++)
        {
            longest = Math.Max(longest, shard.At(offset).Length);
        }

        if (_zeros.Length < longest)
        {
            _zeros = new byte[longest];
        }

        return _zeros;
    }

    /// <summary>
    /// Deletes the oldest sealed segments while none of their shard records is live. Their live keyed values are
    /// copied forward and every shard's low, next and committed offsets restated, in one checkpoint record fsynced
    /// before any file goes, so a replay from the first remaining segment rebuilds the same state. Skipped while the
    /// live keyed bytes to copy are more than half of the bytes it would free (copying must pay for itself).
    /// Runs on the writer loop, the index's only writer.
    /// </summary>
    private void CompactIfDead()
    {
        var oldest = _index.Files[0];
        if (ReferenceEquals(oldest, _active) || oldest.LiveRecords > 0)
        {
            return;
        }

        var dead = new HashSet<SegmentFile>();
        long bytes = 0;
        long liveKeyBytes = 0;
        foreach (var file in _index.Files)
        {
            if (ReferenceEquals(file, _active) || file.LiveRecords > 0)
            {
                break;
            }

            dead.Add(file);
            bytes += file.Length;
            liveKeyBytes += file.LiveKeyBytes;
        }

        if (dead.Count == 0 || liveKeyBytes * 2 > bytes)
        {
            return;
        }

        var ops = new List<LogOp>();
        _index.AddShardStates(ops);
        try
        {
            foreach (var (space, keys) in _index.Spaces)
            {
                foreach (var (key, location) in keys)
                {
                    if (dead.Contains(location.File))
                    {
                        var value = location.File.ReadBytes(location.Position, location.Length);
                        ops.Add(new LogOp((byte)StorageOperationKind.Put, space, key, 0, 0, value, 0, 0, null));
                    }
                }
            }
        }
        catch (IOException)
        {
            return;
        }

        var checkpoint = PendingWrite.ForCheckpoint(ops);
        _group.Clear();
        _group.Add(checkpoint);
        WriteGroup(_group);
        if (!checkpoint.Completion!.Task.IsCompletedSuccessfully)
        {
            return;
        }

        lock (_lock)
        {
            _index.Files.RemoveAll(dead.Contains);
            foreach (var file in dead)
            {
                file.Dispose();
            }
        }

        foreach (var file in dead)
        {
            try
            {
                File.Delete(file.FilePath);
                DeletedSegments++;
                _directoryDirty = true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left behind: replay reads it again and the checkpoint after it restates the state.
            }
        }
    }
}
