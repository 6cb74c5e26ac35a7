namespace RobustMq.Grains.Storage;

/// <summary>The storage backends a topic or the broker's state can be kept in (<c>Storage:Default</c>, <c>Storage:Topics:N:Backend</c>).</summary>
public enum StorageBackend
{
    /// <summary>In memory: lost when the process ends.</summary>
    Memory,

    /// <summary>RocksDB under <c>Storage:Path</c>/rocksdb: the embedded default.</summary>
    RocksDb,

    /// <summary>Our append-only segment files under <c>Storage:Path</c>/segments.</summary>
    Segment,

    /// <summary>PostgreSQL at <c>Storage:Postgres:ConnectionString</c>: shared by a cluster.</summary>
    Postgres,
}
