using Npgsql;

namespace RobustMq.Storage.Postgres;

/// <summary>
/// The SQL of <see cref="PostgresStorageEngine"/> for one schema (docs/storage.md lists the tables). Names are
/// <c>text COLLATE "C"</c> and keys <c>bytea</c> of their UTF-8 bytes, so both sort by bytes (<see cref="KeyOrder"/>)
/// whatever the database's collation.
/// </summary>
internal sealed class PostgresSql
{
    /// <summary>The schema version this code writes and reads (the <c>meta</c> row <c>schema_version</c>).</summary>
    public const string SchemaVersion = "1";

    /// <summary>The first key of the session-level advisory lock (<c>pg_try_advisory_lock(int, int)</c>): "RMQ1".</summary>
    public const int AdvisoryLockClass = 0x524D5131;

    /// <summary>The first key of the transaction-level advisory lock held while the schema is created: "RMQ2".</summary>
    public const int SchemaLockClass = 0x524D5132;

    public PostgresSql(string schema)
    {
        Schema = schema;
        var s = $"\"{schema}\"";
        // One batch, one implicit transaction: the transaction-level lock (taken in a DO block, so the batch's only
        // result is still the version) makes silos that start together on a new database create the schema one after
        // another (CREATE ... IF NOT EXISTS alone races: 23505 on pg_namespace).
        CreateSchema = $"""
            DO $$ BEGIN PERFORM pg_advisory_xact_lock({SchemaLockClass}, hashtext('{schema}')); END $$;
            CREATE SCHEMA IF NOT EXISTS {s};
            CREATE TABLE IF NOT EXISTS {s}.meta (name text COLLATE "C" PRIMARY KEY, value text NOT NULL);
            INSERT INTO {s}.meta (name, value) VALUES ('schema_version', '{SchemaVersion}') ON CONFLICT (name) DO NOTHING;
            CREATE TABLE IF NOT EXISTS {s}.shards (name text COLLATE "C" PRIMARY KEY, low bigint NOT NULL, next bigint NOT NULL);
            CREATE TABLE IF NOT EXISTS {s}.records (shard text COLLATE "C" NOT NULL, "offset" bigint NOT NULL, ts bigint NOT NULL, value bytea NOT NULL, PRIMARY KEY (shard, "offset"));
            CREATE TABLE IF NOT EXISTS {s}.commits (shard text COLLATE "C" NOT NULL, consumer text COLLATE "C" NOT NULL, "offset" bigint NOT NULL, PRIMARY KEY (shard, consumer));
            CREATE TABLE IF NOT EXISTS {s}.kv (space text COLLATE "C" NOT NULL, key bytea NOT NULL, value bytea NOT NULL, PRIMARY KEY (space, key));
            SELECT value FROM {s}.meta WHERE name = 'schema_version';
            """;
        TryLock = $"SELECT pg_try_advisory_lock({AdvisoryLockClass}, hashtext('{schema}'))";
        TryLockShared = $"SELECT pg_try_advisory_lock_shared({AdvisoryLockClass}, hashtext('{schema}'))";
        Unlock = $"SELECT pg_advisory_unlock({AdvisoryLockClass}, hashtext('{schema}'))";
        UnlockShared = $"SELECT pg_advisory_unlock_shared({AdvisoryLockClass}, hashtext('{schema}'))";
        LoadShards = $"SELECT name, low, next FROM {s}.shards WHERE name = ANY($1::text[])";
        LoadShardsForUpdate = $"SELECT name, low, next FROM {s}.shards WHERE name = ANY($1::text[]) ORDER BY name FOR UPDATE";
        InsertRecords = $"INSERT INTO {s}.records (shard, \"offset\", ts, value) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bytea[])";
        UpsertCommits = $"INSERT INTO {s}.commits (shard, consumer, \"offset\") SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) ON CONFLICT (shard, consumer) DO UPDATE SET \"offset\" = excluded.\"offset\"";
        UpsertKeys = $"INSERT INTO {s}.kv (space, key, value) SELECT * FROM unnest($1::text[], $2::bytea[], $3::bytea[]) ON CONFLICT (space, key) DO UPDATE SET value = excluded.value";
        DeleteKey = $"DELETE FROM {s}.kv WHERE space = $1 AND key = $2";
        TrimRecords = $"DELETE FROM {s}.records WHERE shard = $1 AND \"offset\" < $2";
        DeleteRecords = $"DELETE FROM {s}.records WHERE shard = $1";
        DeleteCommits = $"DELETE FROM {s}.commits WHERE shard = $1";
        UpsertShards = $"INSERT INTO {s}.shards (name, low, next) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[]) ON CONFLICT (name) DO UPDATE SET low = excluded.low, next = excluded.next";
        DeleteShards = $"DELETE FROM {s}.shards WHERE name = ANY($1::text[])";
        UpdateLow = $"UPDATE {s}.shards SET low = GREATEST(low, $2) WHERE name = $1";
        InsertMissingShards = $"INSERT INTO {s}.shards (name, low, next) SELECT n, 0, 0 FROM unnest($1::text[]) AS n ORDER BY n ON CONFLICT (name) DO NOTHING";
        RecordSizes = $"SELECT ts, octet_length(value) FROM {s}.records WHERE shard = $1 ORDER BY \"offset\"";
        ReadRecords = $"SELECT \"offset\", ts, value FROM {s}.records WHERE shard = $1 AND \"offset\" >= $2 ORDER BY \"offset\" LIMIT $3";
        Bounds = $"SELECT low, next FROM {s}.shards WHERE name = $1";
        Committed = $"SELECT \"offset\" FROM {s}.commits WHERE shard = $1 AND consumer = $2";
        ListCommitted = $"SELECT consumer, \"offset\" FROM {s}.commits WHERE shard = $1 ORDER BY consumer";
        GetKey = $"SELECT value FROM {s}.kv WHERE space = $1 AND key = $2";
        ScanAll = $"SELECT key, value FROM {s}.kv WHERE space = $1 ORDER BY key";
        ScanFrom = $"SELECT key, value FROM {s}.kv WHERE space = $1 AND key >= $2 ORDER BY key";
        ScanRange = $"SELECT key, value FROM {s}.kv WHERE space = $1 AND key >= $2 AND key < $3 ORDER BY key";
        ListShards = $"SELECT name FROM {s}.shards WHERE starts_with(name, $1) ORDER BY name";
        // The distinct spaces by a loose index scan of kv's primary key (one index probe per space, not one row per
        // key), then per space its keys and value bytes, counting no more than $1 rows.
        ListSpaces = $"""
            WITH RECURSIVE spaces AS (
                SELECT min(space) AS space FROM {s}.kv
                UNION ALL
                SELECT (SELECT min(k.space) FROM {s}.kv k WHERE k.space > spaces.space) FROM spaces WHERE spaces.space IS NOT NULL)
            SELECT spaces.space, counted.keys, counted.bytes FROM spaces
            CROSS JOIN LATERAL (SELECT count(*) AS keys, coalesce(sum(octet_length(capped.value)), 0)::bigint AS bytes
                FROM (SELECT value FROM {s}.kv k WHERE k.space = spaces.space LIMIT $1) capped) counted
            WHERE spaces.space IS NOT NULL ORDER BY spaces.space
            """;
    }

    public string Schema { get; }

    public string CreateSchema { get; }

    public string TryLock { get; }

    /// <summary>The schema's advisory lock taken shared (<see cref="PostgresStorageOptions.Shared"/>).</summary>
    public string TryLockShared { get; }

    /// <summary>Releases the schema's lock at once (closing the connection releases it too, but only once the server has noticed).</summary>
    public string Unlock { get; }

    public string UnlockShared { get; }

    public string LoadShards { get; }

    /// <summary>Like <see cref="LoadShards"/>, locking the rows until the transaction ends (in name order: no deadlock between writers).</summary>
    public string LoadShardsForUpdate { get; }

    public string InsertRecords { get; }

    public string UpsertCommits { get; }

    public string UpsertKeys { get; }

    public string DeleteKey { get; }

    public string TrimRecords { get; }

    public string DeleteRecords { get; }

    public string DeleteCommits { get; }

    public string UpsertShards { get; }

    public string DeleteShards { get; }

    public string UpdateLow { get; }

    /// <summary>
    /// Shared mode: the rows of shards a group is about to create, made first (empty, in name order) so that the
    /// <see cref="LoadShardsForUpdate"/> that follows locks them too: two processes creating one shard take turns.
    /// </summary>
    public string InsertMissingShards { get; }

    public string RecordSizes { get; }

    public string ReadRecords { get; }

    public string Bounds { get; }

    public string Committed { get; }

    /// <summary>Every consumer's committed offset of a shard, by name (<c>COLLATE "C"</c>: UTF-8 byte order).</summary>
    public string ListCommitted { get; }

    public string GetKey { get; }

    public string ScanAll { get; }

    public string ScanFrom { get; }

    public string ScanRange { get; }

    public string ListShards { get; }

    /// <summary>Each space with its keys and value bytes, at most <c>$1</c> keys counted per space, by name.</summary>
    public string ListSpaces { get; }

    /// <summary>A statement of a batch with positional parameters (<c>$1</c>, <c>$2</c>...); pass an array as one object.</summary>
    public static NpgsqlBatchCommand BatchCommand(string sql, params object[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return command;
    }

    /// <summary>A command on <paramref name="connection"/> with positional parameters; pass an array as one object.</summary>
    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return command;
    }
}
