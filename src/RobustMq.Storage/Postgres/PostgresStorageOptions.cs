namespace RobustMq.Storage.Postgres;

/// <summary>
/// Where and how <see cref="PostgresStorageEngine"/> stores (docs/storage.md, PostgreSQL).
/// <see cref="Sync"/> maps to PostgreSQL's <c>synchronous_commit</c> for the engine's transactions:
/// <c>Always</c> = <c>on</c> (a write completes once its commit record is flushed to the server's disk; the server
/// groups flushes of concurrent commits); <c>Periodic</c> and <c>None</c> = <c>off</c> (the server's WAL writer
/// flushes every <c>wal_writer_delay</c>, 200 ms by default; a crash of the database server may lose that last
/// stretch, a crash of the broker loses nothing completed). The Periodic interval is not PostgreSQL's to take: the
/// server's <c>wal_writer_delay</c> rules.
/// </summary>
public sealed class PostgresStorageOptions
{
    public const string DefaultSchema = "robustmq";

    /// <summary>An Npgsql connection string (host, port, database, user, password...).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The schema that holds the engine's tables (1-63 of <c>[a-z0-9_]</c>, not starting with a digit); created when missing.</summary>
    public string Schema { get; set; } = DefaultSchema;

    /// <summary>
    /// Several broker processes (a cluster's silos) write this schema at once, each to the shards and keys its grains
    /// and connections own at the time. Each transaction then reads the bounds of the shards it appends to under a row
    /// lock (<c>SELECT ... FOR UPDATE</c>) instead of keeping them between transactions, so a shard written by one
    /// process and then another gets offsets that follow on. The schema's advisory lock is taken shared: an engine
    /// that is not shared cannot open the schema meanwhile, nor a shared one while a single writer holds it.
    /// </summary>
    public bool Shared { get; set; }

    /// <summary>What a completed write survives; Volatile is not offered.</summary>
    public StorageSync Sync { get; set; } = StorageSync.Always;

    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException("Storage:Postgres:ConnectionString is required", nameof(ConnectionString));
        }

        if (!IsSchemaName(Schema))
        {
            throw new ArgumentException($"Storage:Postgres:Schema must be 1-63 of [a-z0-9_], not starting with a digit (got '{Schema}')", nameof(Schema));
        }

        ArgumentNullException.ThrowIfNull(Sync);
        if (Sync.Mode == StorageSyncMode.Volatile)
        {
            throw new ArgumentException("Storage:Sync=Volatile is not offered by the PostgreSQL backend (use Always, Periodic:N or None)", nameof(Sync));
        }
    }

    private static bool IsSchemaName(string? schema)
    {
        if (schema is not { Length: > 0 and <= 63 } || char.IsAsciiDigit(schema[0]))
        {
            return false;
        }

        foreach (var c in schema)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
