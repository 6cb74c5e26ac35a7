namespace RobustMq.Storage.Memory;

/// <summary>One shard of <see cref="MemoryStorageEngine"/>: its kept records (the first at <see cref="Low"/>) and committed offsets.</summary>
internal sealed class MemoryShard
{
    public List<StoredRecord> Records { get; } = [];

    public Dictionary<string, long> Committed { get; } = new(StringComparer.Ordinal);

    public long Low { get; private set; }

    public long Next => Low + Records.Count;

    public long Append(byte[] value, long timestampUnixMs)
    {
        var offset = Next;
        Records.Add(new StoredRecord(offset, timestampUnixMs, value));
        return offset;
    }

    public void TrimBefore(long offset)
    {
        var drop = (int)Math.Clamp(offset - Low, 0, Records.Count);
        if (drop > 0)
        {
            Records.RemoveRange(0, drop);
            Low += drop;
        }
    }

    public StoredRecord[] Read(long fromOffset, int maxRecords)
    {
        var start = (int)Math.Clamp(fromOffset - Low, 0, Records.Count);
        var count = Math.Min(maxRecords, Records.Count - start);
        return count <= 0 ? [] : Records.GetRange(start, count).ToArray();
    }
}
