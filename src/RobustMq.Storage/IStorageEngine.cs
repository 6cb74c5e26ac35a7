namespace RobustMq.Storage;

/// <summary>
/// The one storage interface of the broker (docs/storage.md). Two kinds of data:
/// <list type="bullet">
/// <item><b>Shards</b>: append-only logs of records (an offline queue, a topic's messages). Offsets start at 0 and
/// grow by one per record without gaps; records leave a shard only from its start (trim, retention), so a shard is
/// the range <see cref="ShardBounds.Low"/> .. <see cref="ShardBounds.Next"/> - 1. Each shard keeps committed offsets
/// per consumer.</item>
/// <item><b>Keyed state</b>: values under a key in a named space (sessions, retained messages, in-flight records),
/// latest write wins, scanned in ordinal order of the keys' UTF-8 bytes.</item>
/// </list>
/// Every change goes through <see cref="WriteAsync"/>: a batch is atomic (after a crash either all of it or none of
/// it is there) and, once the returned task completes, durable as <see cref="Sync"/> promises. Concurrent batches
/// are group-committed: many writers share one fsync. Reads see every completed write.
/// Names of shards and spaces follow <see cref="StorageNames"/>. Thread-safe; one instance per path per process.
/// </summary>
/// <remarks>
/// Failures are <see cref="StorageException"/> with a <see cref="StorageErrorKind"/>: a write that throws was not
/// applied and nothing stored before it is affected (the broker then refuses the acknowledgement it was for).
/// </remarks>
public interface IStorageEngine : IAsyncDisposable
{
    /// <summary>What a completed <see cref="WriteAsync"/> survives.</summary>
    StorageSync Sync { get; }

    /// <summary>
    /// Applies <paramref name="batch"/> atomically and returns once it is durable per <see cref="Sync"/>. The result
    /// holds the offset given to each <see cref="StorageBatch.Append"/>, in the batch's order.
    /// </summary>
    /// <exception cref="StorageException">The batch was not applied (full, unavailable, closed).</exception>
    ValueTask<StorageWriteResult> WriteAsync(StorageBatch batch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="maxRecords"/> records of <paramref name="shard"/> from <paramref name="fromOffset"/> on,
    /// in offset order; from the shard's first record when <paramref name="fromOffset"/> is below it. Empty past the
    /// end and for a shard that does not exist.
    /// </summary>
    ValueTask<IReadOnlyList<StoredRecord>> ReadAsync(string shard, long fromOffset, int maxRecords, CancellationToken cancellationToken = default);

    /// <summary>The first kept offset and the next offset to be given; (0, 0) for a shard that does not exist.</summary>
    ValueTask<ShardBounds> GetBoundsAsync(string shard, CancellationToken cancellationToken = default);

    /// <summary>The offset <paramref name="consumer"/> committed on <paramref name="shard"/> (the next it wants), or null.</summary>
    ValueTask<long?> GetCommittedAsync(string shard, string consumer, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every consumer that committed an offset on <paramref name="shard"/>, with that offset, in ordinal order of the
    /// consumers' UTF-8 names; empty for a shard that does not exist. (The admin API's "offset by-group".)
    /// </summary>
    ValueTask<IReadOnlyList<ConsumerOffset>> ListCommittedAsync(string shard, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes records from the start of <paramref name="shard"/> that fall outside <paramref name="policy"/> at
    /// <paramref name="nowUnixMs"/>; returns the new <see cref="ShardBounds.Low"/>. Every record the policy keeps is
    /// kept; a backend that deletes whole files (Segment) may keep some older ones too, never more than one segment's.
    /// </summary>
    ValueTask<long> ApplyRetentionAsync(string shard, RetentionPolicy policy, long nowUnixMs, CancellationToken cancellationToken = default);

    /// <summary>The value under <paramref name="key"/> in <paramref name="space"/>, or null.</summary>
    ValueTask<byte[]?> GetAsync(string space, string key, CancellationToken cancellationToken = default);

    /// <summary>Every entry of <paramref name="space"/> whose key starts with <paramref name="keyPrefix"/>, in ordinal key order.</summary>
    IAsyncEnumerable<StoredEntry> ScanAsync(string space, string keyPrefix = "", CancellationToken cancellationToken = default);

    /// <summary>The shards that hold at least one record or committed offset, in ordinal order; those starting with <paramref name="prefix"/>.</summary>
    IAsyncEnumerable<string> ListShardsAsync(string prefix = "", CancellationToken cancellationToken = default);

    /// <summary>
    /// The spaces that hold at least one key, in ordinal order of their names, each with its key count and value bytes
    /// (<see cref="SpaceUsage"/>). A backend that has to scan to count stops a space at <paramref name="maxKeys"/> keys
    /// and says so (<see cref="SpaceUsage.KeysAtLeast"/>); one that keeps exact counts (Memory, Segment) gives them
    /// whole. (The admin API's "space list".)
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxKeys"/> is below 1.</exception>
    ValueTask<IReadOnlyList<SpaceUsage>> ListSpacesAsync(long maxKeys = SpaceUsage.DefaultMaxKeys, CancellationToken cancellationToken = default);
}
