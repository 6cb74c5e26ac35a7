namespace RobustMq.Storage;

/// <summary>The outcome of a write: the offset given to each append of the batch, in the batch's order.</summary>
public readonly record struct StorageWriteResult(long[] Offsets)
{
    public static readonly StorageWriteResult NoAppends = new([]);
}
