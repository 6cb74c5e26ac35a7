using RobustMq.Abstractions.Metrics;
using RobustMq.Storage;

namespace RobustMq.Grains.Storage;

/// <summary>
/// An engine whose writes are metered (<see cref="IStorageMetrics"/>): each <see cref="WriteAsync"/> counts as pending
/// while under way and its duration is observed when it ends, applied or not. Reads pass through unmetered.
/// </summary>
internal sealed class MeteredStorageEngine(IStorageEngine inner, IStorageWriteMeter meter) : IStorageEngine
{
    public StorageSync Sync => inner.Sync;

    /// <summary>The engine metered.</summary>
    public IStorageEngine Inner => inner;

    public ValueTask<StorageWriteResult> WriteAsync(StorageBatch batch, CancellationToken cancellationToken = default)
    {
        var started = meter.Started();
        ValueTask<StorageWriteResult> write;
        try
        {
            write = inner.WriteAsync(batch, cancellationToken);
        }
        catch
        {
            meter.Ended(started);
            throw;
        }

        if (write.IsCompleted)
        {
            meter.Ended(started);
            return write;
        }

        return AwaitAsync(write, started);
    }

    private async ValueTask<StorageWriteResult> AwaitAsync(ValueTask<StorageWriteResult> write, long started)
    {
        try
        {
            return await write;
        }
        finally
        {
            meter.Ended(started);
        }
    }

    public ValueTask<IReadOnlyList<StoredRecord>> ReadAsync(string shard, long fromOffset, int maxRecords, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(shard, fromOffset, maxRecords, cancellationToken);

    public ValueTask<ShardBounds> GetBoundsAsync(string shard, CancellationToken cancellationToken = default) => inner.GetBoundsAsync(shard, cancellationToken);

    public ValueTask<long?> GetCommittedAsync(string shard, string consumer, CancellationToken cancellationToken = default) =>
        inner.GetCommittedAsync(shard, consumer, cancellationToken);

    public ValueTask<long> ApplyRetentionAsync(string shard, RetentionPolicy policy, long nowUnixMs, CancellationToken cancellationToken = default) =>
        inner.ApplyRetentionAsync(shard, policy, nowUnixMs, cancellationToken);

    public ValueTask<byte[]?> GetAsync(string space, string key, CancellationToken cancellationToken = default) => inner.GetAsync(space, key, cancellationToken);

    public IAsyncEnumerable<StoredEntry> ScanAsync(string space, string keyPrefix = "", CancellationToken cancellationToken = default) =>
        inner.ScanAsync(space, keyPrefix, cancellationToken);

    public ValueTask<IReadOnlyList<ConsumerOffset>> ListCommittedAsync(string shard, CancellationToken cancellationToken = default) => inner.ListCommittedAsync(shard, cancellationToken);

    public IAsyncEnumerable<string> ListShardsAsync(string prefix = "", CancellationToken cancellationToken = default) => inner.ListShardsAsync(prefix, cancellationToken);

    public ValueTask<IReadOnlyList<SpaceUsage>> ListSpacesAsync(long maxKeys = SpaceUsage.DefaultMaxKeys, CancellationToken cancellationToken = default) => inner.ListSpacesAsync(maxKeys, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
