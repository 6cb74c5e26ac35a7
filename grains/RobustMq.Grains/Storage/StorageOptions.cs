namespace RobustMq.Grains.Storage;

/// <summary>
/// Where the broker keeps what must outlive the process, bound from the <c>Storage</c> section (docs/storage.md):
/// retained messages (and, as they move to storage, sessions and their queues) go to the backend of the first rule of
/// <see cref="Topics"/> whose filter matches the topic, else to <see cref="Default"/>.
/// </summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";
    public const string DefaultPath = "./data";
    public const string DefaultSync = "Always";

    /// <summary>The local data folder (RocksDB, segment files); relative to the working directory. Created when missing.</summary>
    public string Path { get; set; } = DefaultPath;

    /// <summary>The backend for everything no <see cref="Topics"/> rule matches.</summary>
    public StorageBackend Default { get; set; } = StorageBackend.RocksDb;

    /// <summary>
    /// What a stored write survives before the broker acknowledges it: <c>Always</c> (fsync, grouped across writers),
    /// <c>Periodic:N</c> (fsync every N ms; a machine crash may lose the last N ms), <c>None</c> (left to the OS).
    /// </summary>
    public string Sync { get; set; } = DefaultSync;

    /// <summary>Backend per topic filter; the first matching rule wins.</summary>
    public List<StorageTopicRule> Topics { get; set; } = [];

    /// <summary>The PostgreSQL backend's server and schema (needed when a backend is <c>Postgres</c>).</summary>
    public StoragePostgresOptions Postgres { get; set; } = new();
}
