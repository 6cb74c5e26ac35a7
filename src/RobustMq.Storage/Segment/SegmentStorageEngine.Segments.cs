namespace RobustMq.Storage.Segment;

/// <summary>What the admin API shows of the log: the segment files a shard's kept records lie in.</summary>
public sealed partial class SegmentStorageEngine
{
    /// <summary>
    /// The segment files that hold kept records of <paramref name="shard"/>, oldest first, with the shard's part of
    /// each; empty for a shard without kept records (or that does not exist). One pass over the shard's in-memory
    /// index under the engine's lock (no file is read).
    /// </summary>
    /// <exception cref="StorageException">Closed: the engine is disposed.</exception>
    public IReadOnlyList<SegmentInfo> ListSegments(string shard)
    {
        StorageNames.CheckShard(shard);
        var found = new List<SegmentInfo>();
        lock (_lock)
        {
            ThrowIfDisposed();
            if (!_index.Shards.TryGetValue(shard, out var s) || s.Count == 0)
            {
                return found;
            }

            var first = s.At(s.Low);
            var (file, baseOffset, records, bytes, firstTs, lastTs) = (first.File, s.Low, 0L, 0L, first.Timestamp, first.Timestamp);
            for (var offset = s.Low; offset < s.Next; offset++)
            {
                var at = s.At(offset);
                if (!ReferenceEquals(at.File, file))
                {
                    found.Add(Info(file, baseOffset, offset - 1, records, bytes, firstTs, lastTs));
                    (file, baseOffset, records, bytes, firstTs) = (at.File, offset, 0L, 0L, at.Timestamp);
                }

                records++;
                bytes += at.Length;
                lastTs = at.Timestamp;
            }

            found.Add(Info(file, baseOffset, s.Next - 1, records, bytes, firstTs, lastTs));
        }

        return found;
    }

    private SegmentInfo Info(SegmentFile file, long baseOffset, long lastOffset, long records, long bytes, long firstTs, long lastTs) =>
        new(System.IO.Path.GetFileName(file.FilePath), file.FirstSequence, baseOffset, lastOffset, records, bytes, firstTs, lastTs, file.Length, ReferenceEquals(file, _active));
}
