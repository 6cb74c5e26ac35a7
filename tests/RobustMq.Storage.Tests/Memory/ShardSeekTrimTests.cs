using RobustMq.Storage.Memory;

namespace RobustMq.Storage.Tests.Memory;

/// <summary>
/// <see cref="ShardSeek.FirstAtOrAfterAsync"/> while retention trims the shard between its probes: the reads then
/// answer with the shard's new first record, past the probe, and the search must still end on a kept record.
/// </summary>
public sealed class ShardSeekTrimTests
{
    [Theory]
    [InlineData(60, 0, 60L)]     // every kept record is late enough: the first kept one
    [InlineData(60, 7_000, 70L)] // the answer lies beyond the trim
    [InlineData(95, 0, 95L)]     // trimmed past the first probes' answers
    [InlineData(60, 99_999, null)]
    public async Task A_trim_between_probes_ends_the_search_on_the_first_kept_record_late_enough(int trimTo, long time, long? expected)
    {
        await using var memory = new MemoryStorageEngine();
        var batch = new StorageBatch();
        for (var i = 0; i < 100; i++)
        {
            batch.Append("t", new byte[] { 1 }, i * 100L);
        }

        await memory.WriteAsync(batch);
        var trimming = new TrimOnFirstRead(memory, "t", trimTo);

        var found = await ShardSeek.FirstAtOrAfterAsync(trimming, "t", time).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(expected, found);
    }

    /// <summary>The memory engine, trimming the shard before it answers the first read.</summary>
    private sealed class TrimOnFirstRead(IStorageEngine inner, string shard, long trimTo) : IStorageEngine
    {
        private bool _trimmed;

        public StorageSync Sync => inner.Sync;

        public async ValueTask<IReadOnlyList<StoredRecord>> ReadAsync(string shard1, long fromOffset, int maxRecords, CancellationToken cancellationToken = default)
        {
            if (!_trimmed)
            {
                _trimmed = true;
                await inner.WriteAsync(new StorageBatch().TrimBefore(shard, trimTo), cancellationToken);
            }

            return await inner.ReadAsync(shard1, fromOffset, maxRecords, cancellationToken);
        }

        public ValueTask<StorageWriteResult> WriteAsync(StorageBatch batch, CancellationToken cancellationToken = default) => inner.WriteAsync(batch, cancellationToken);

        public ValueTask<ShardBounds> GetBoundsAsync(string shard1, CancellationToken cancellationToken = default) => inner.GetBoundsAsync(shard1, cancellationToken);

        public ValueTask<long?> GetCommittedAsync(string shard1, string consumer, CancellationToken cancellationToken = default) => inner.GetCommittedAsync(shard1, consumer, cancellationToken);

        public ValueTask<IReadOnlyList<ConsumerOffset>> ListCommittedAsync(string shard1, CancellationToken cancellationToken = default) => inner.ListCommittedAsync(shard1, cancellationToken);

        public ValueTask<long> ApplyRetentionAsync(string shard1, RetentionPolicy policy, long nowUnixMs, CancellationToken cancellationToken = default) =>
            inner.ApplyRetentionAsync(shard1, policy, nowUnixMs, cancellationToken);

        public ValueTask<byte[]?> GetAsync(string space, string key, CancellationToken cancellationToken = default) => inner.GetAsync(space, key, cancellationToken);

        public IAsyncEnumerable<StoredEntry> ScanAsync(string space, string keyPrefix = "", CancellationToken cancellationToken = default) => inner.ScanAsync(space, keyPrefix, cancellationToken);

        public IAsyncEnumerable<string> ListShardsAsync(string prefix = "", CancellationToken cancellationToken = default) => inner.ListShardsAsync(prefix, cancellationToken);

        public ValueTask<IReadOnlyList<SpaceUsage>> ListSpacesAsync(long maxKeys = SpaceUsage.DefaultMaxKeys, CancellationToken cancellationToken = default) => inner.ListSpacesAsync(maxKeys, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
