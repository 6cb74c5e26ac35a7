namespace RobustMq.Storage.Segment;

/// <summary>
/// One shard of <see cref="SegmentIndex"/>: the location of each kept record (dense: one entry per offset from
/// <see cref="Low"/> to <see cref="Next"/> - 1, 32 bytes each) and the committed offsets. Trims move a head index
/// (amortised O(records trimmed)); the list is compacted once more than half of it is trimmed.
/// </summary>
internal sealed class SegmentShard(long low)
{
    private const int CompactAfter = 1024;

    private readonly List<SegmentLocation> _records = [];
    private int _head;

    public Dictionary<string, long> Committed { get; } = new(StringComparer.Ordinal);

    public long Low { get; private set; } = low;

    public long Next => Low + Count;

    public int Count => _records.Count - _head;

    /// <summary>The record at <paramref name="offset"/> (Low &lt;= offset &lt; Next).</summary>
    public SegmentLocation At(long offset) => _records[_head + (int)(offset - Low)];

    public void Append(SegmentLocation location)
    {
        _records.Add(location);
        location.File.LiveRecords++;
    }

    /// <summary>Drops the records below <paramref name="offset"/> (none at or below Low; all past Next, keeping Next).</summary>
    public void TrimBefore(long offset)
    {
        var drop = (int)Math.Clamp(offset - Low, 0, Count);
        if (drop == 0)
        {
            return;
        }

        for (var i = _head; i < _head + drop; i++)
        {
            _records[i].File.LiveRecords--;
        }

        _head += drop;
        Low += drop;
        if (_head == _records.Count)
        {
            _records.Clear();
            _head = 0;
        }
        else if (_head >= CompactAfter && _head > _records.Count / 2)
        {
            _records.RemoveRange(0, _head);
            _head = 0;
        }
    }

    /// <summary>Drops every record (the shard is deleted).</summary>
    public void Clear() => TrimBefore(Next);

    /// <summary>Empties the shard and starts it again at <paramref name="offset"/> (recovery of a checkpointed shard).</summary>
    public void Restart(long offset)
    {
        Clear();
        Low = offset;
    }
}
