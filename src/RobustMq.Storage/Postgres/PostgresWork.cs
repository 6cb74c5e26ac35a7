namespace RobustMq.Storage.Postgres;

/// <summary>An item of the committer's queue: a write or a retention pass, done in queue order.</summary>
internal abstract class PostgresWork
{
    public abstract void Fail(StorageException error);
}

/// <summary>A <see cref="StorageBatch"/> waiting for its group's commit.</summary>
internal sealed class PostgresWrite(StorageBatch batch) : PostgresWork
{
    private readonly TaskCompletionSource<StorageWriteResult> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StorageBatch Batch { get; } = batch;

    public Task<StorageWriteResult> Task => _done.Task;

    /// <summary>The offsets its appends get, set while its group is built.</summary>
    public long[] Offsets { get; set; } = [];

    public void Complete() => _done.TrySetResult(Offsets.Length == 0 ? StorageWriteResult.NoAppends : new StorageWriteResult(Offsets));

    public override void Fail(StorageException error) => _done.TrySetException(error);
}

/// <summary>A retention pass over one shard (<see cref="IStorageEngine.ApplyRetentionAsync"/>).</summary>
internal sealed class PostgresRetention(string shard, RetentionPolicy policy, long nowUnixMs) : PostgresWork
{
    private readonly TaskCompletionSource<long> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Shard { get; } = shard;

    public RetentionPolicy Policy { get; } = policy;

    public long NowUnixMs { get; } = nowUnixMs;

    public Task<long> Task => _done.Task;

    public void Complete(long low) => _done.TrySetResult(low);

    public override void Fail(StorageException error) => _done.TrySetException(error);
}
