namespace RobustMq.Storage.RocksDb;

/// <summary>
/// Where and how <see cref="RocksDbStorageEngine"/> stores (<c>Storage:Path</c>, <c>Storage:Sync</c>).
/// </summary>
/// <param name="Path">The database directory; created when missing. One engine per path per process (RocksDB locks it).</param>
/// <param name="Sync">
/// What a completed write survives: <see cref="StorageSync.Always"/> (default; one fsync per group of writes),
/// <see cref="StorageSync.Periodic"/> (WAL fsynced every interval), <see cref="StorageSync.None"/> (the OS writes
/// back). <see cref="StorageSyncMode.Volatile"/> is refused: RocksDB always writes its log.
/// </param>
public sealed record RocksDbStorageOptions(string Path, StorageSync? Sync = null)
{
    /// <summary>The most writes one group commit takes (one RocksDB WriteBatch, one fsync).</summary>
    public const int DefaultMaxGroupWrites = 1024;

    /// <summary>The value bytes after which a group commit stops taking more writes (it always takes one).</summary>
    public const long DefaultMaxGroupBytes = 16L << 20;

    /// <summary><see cref="Sync"/> or <see cref="StorageSync.Always"/> when not given.</summary>
    public StorageSync EffectiveSync => Sync ?? StorageSync.Always;
}
