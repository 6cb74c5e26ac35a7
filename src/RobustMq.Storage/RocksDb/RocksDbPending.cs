namespace RobustMq.Storage.RocksDb;

/// <summary>
/// One item of the committer's queue: a batch to write, or a retention pass over one shard (which the committer runs
/// alone, against everything written before it). Completed on a pool thread, never inline on the committer.
/// </summary>
internal sealed class RocksDbPending
{
    private RocksDbPending(StorageBatch? batch, string? retentionShard, RetentionPolicy? policy, long nowUnixMs)
    {
        Batch = batch;
        RetentionShard = retentionShard;
        Policy = policy;
        NowUnixMs = nowUnixMs;
        if (batch is not null)
        {
            foreach (var op in batch.Operations)
            {
                Bytes += op.Value.Length;
            }
        }
    }

    /// <summary>The batch to write; null for a retention pass.</summary>
    public StorageBatch? Batch { get; }

    /// <summary>The shard a retention pass trims; null for a write.</summary>
    public string? RetentionShard { get; }

    public RetentionPolicy? Policy { get; }

    public long NowUnixMs { get; }

    /// <summary>The value bytes of the batch (0 for retention): what a group counts against its byte limit.</summary>
    public long Bytes { get; }

    /// <summary>The write's offsets; for retention, one element: the shard's new low.</summary>
    public TaskCompletionSource<StorageWriteResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static RocksDbPending Write(StorageBatch batch) => new(batch, null, null, 0);

    public static RocksDbPending Retain(string shard, RetentionPolicy policy, long nowUnixMs) => new(null, shard, policy, nowUnixMs);
}
