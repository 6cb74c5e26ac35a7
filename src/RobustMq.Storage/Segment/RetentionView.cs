namespace RobustMq.Storage.Segment;

/// <summary>
/// A shard's kept records as <see cref="Retention.FirstKept"/> sees them: offsets, timestamps and value lengths
/// (the values are slices of a zero buffer; retention never reads the bytes).
/// </summary>
internal sealed class RetentionView(SegmentShard shard, byte[] zeros) : IReadOnlyList<StoredRecord>
{
    public int Count => shard.Count;

    public StoredRecord this[int index]
    {
        get
        {
            var offset = shard.Low + index;
            var location = shard.At(offset);
            return new StoredRecord(offset, location.Timestamp, zeros.AsMemory(0, location.Length));
        }
    }

    public IEnumerator<StoredRecord> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
