using RobustMq.Storage.Postgres;

namespace RobustMq.Grains.Storage;

/// <summary>The <c>Storage:Postgres</c> section: where the PostgreSQL backend keeps its tables.</summary>
public sealed class StoragePostgresOptions
{
    /// <summary>An Npgsql connection string, e.g. <c>Host=db;Username=robustmq;Password=...;Database=robustmq</c>.</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>The schema of the broker's tables (created when missing); one broker process writes a schema at a time.</summary>
    public string Schema { get; set; } = PostgresStorageOptions.DefaultSchema;

    /// <summary>
    /// Several broker processes write the schema (<see cref="PostgresStorageOptions.Shared"/>); on by default in a
    /// cluster (<c>Cluster:Mode=AdoNet</c>), where every silo serves any session.
    /// </summary>
    public bool Shared { get; set; }
}
