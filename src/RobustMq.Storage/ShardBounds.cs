namespace RobustMq.Storage;

/// <summary>A shard's records are the offsets <see cref="Low"/> .. <see cref="Next"/> - 1 (none when equal).</summary>
public readonly record struct ShardBounds(long Low, long Next)
{
    public long Count => Next - Low;
}
