using System.Runtime.CompilerServices;
using System.Text;
using Npgsql;

namespace RobustMq.Storage.Postgres;

/// <summary>
/// The shared durable backend (docs/storage.md, PostgreSQL): shards, commits and keyed spaces in four tables of one
/// schema. Writes go through one committer (<see cref="PostgresCommitter"/>): concurrent batches are group-committed
/// in one transaction each turn, atomically. A schema has one writer process at a time: opening takes a session-level
/// advisory lock and a second engine on the same schema (in this or another process) gets
/// <see cref="StorageErrorKind.Unavailable"/>. Reads run on pooled connections and see every completed write.
/// Errors: server unreachable or gone = Unavailable (a later call reconnects), disk full (SQLSTATE 53100) = Full; a
/// failed write's group is rolled back. A connection lost during COMMIT leaves that group's outcome unknown to the
/// engine: it reports Unavailable although the server may have applied it (the usual in-doubt commit).
/// </summary>
public sealed class PostgresStorageEngine : IStorageEngine
{
    private readonly NpgsqlDataSource _reads;
    private readonly PostgresSql _sql;
    private readonly PostgresCommitter _committer;
    private int _disposed;

    private PostgresStorageEngine(PostgresStorageOptions options, NpgsqlDataSource reads, PostgresSql sql, PostgresCommitter committer)
    {
        Sync = options.Sync;
        _reads = reads;
        _sql = sql;
        _committer = committer;
    }

    public StorageSync Sync { get; }

    /// <summary>Transactions committed so far (group commits and retention passes).</summary>
    internal long Transactions => _committer.Transactions;

    /// <summary>Writes committed so far.</summary>
    internal long Writes => _committer.Writes;

    /// <summary>Connects, takes the schema's advisory lock and creates the schema's tables when missing.</summary>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    /// <exception cref="StorageException">Unreachable, or the schema is in use by another engine (Unavailable).</exception>
    public static async ValueTask<PostgresStorageEngine> OpenAsync(PostgresStorageOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var sql = new PostgresSql(options.Schema);
        var committer = new PostgresCommitter(options, sql);
        await committer.StartAsync(cancellationToken).ConfigureAwait(false);
        return new PostgresStorageEngine(options, NpgsqlDataSource.Create(options.ConnectionString), sql, committer);
    }

    public ValueTask<StorageWriteResult> WriteAsync(StorageBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        foreach (var op in batch.Operations)
        {
            // A bad value must fail its own batch here, not the group it would share a transaction with.
            if (op.Kind == StorageOperationKind.Commit && op.Key!.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException($"a consumer name cannot contain U+0000: '{op.Key}'", nameof(batch));
            }
        }

        if (batch.IsEmpty)
        {
            return ValueTask.FromResult(StorageWriteResult.NoAppends);
        }

        // Cancellation is honoured until the batch is queued; after that it is committed or failed with its group.
        var write = new PostgresWrite(batch);
        return _committer.TryEnqueue(write) ? new ValueTask<StorageWriteResult>(write.Task) : throw Closed();
    }

    public async ValueTask<IReadOnlyList<StoredRecord>> ReadAsync(string shard, long fromOffset, int maxRecords, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckShard(shard);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRecords);
        ThrowIfDisposed();
        if (maxRecords == 0)
        {
            return [];
        }

        return await QueryAsync((shard, fromOffset, maxRecords), static async (connection, sql, args, ct) =>
        {
            await using var command = PostgresSql.Command(connection, sql.ReadRecords, args.shard, args.fromOffset, args.maxRecords);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var records = new List<StoredRecord>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                records.Add(new StoredRecord(reader.GetInt64(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2)));
            }

            return (IReadOnlyList<StoredRecord>)records;
        }, "a read", cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ShardBounds> GetBoundsAsync(string shard, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckShard(shard);
        return await QueryAsync(shard, static async (connection, sql, shard, ct) =>
        {
            await using var command = PostgresSql.Command(connection, sql.Bounds, shard);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? new ShardBounds(reader.GetInt64(0), reader.GetInt64(1)) : default;
        }, "reading a shard's bounds", cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<long?> GetCommittedAsync(string shard, string consumer, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckShard(shard);
        ArgumentNullException.ThrowIfNull(consumer);
        if (consumer.Contains('\0', StringComparison.Ordinal))
        {
            ThrowIfDisposed();
            return null;
        }

        return await QueryAsync((shard, consumer), static async (connection, sql, args, ct) =>
        {
            await using var command = PostgresSql.Command(connection, sql.Committed, args.shard, args.consumer);
            return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is long offset ? offset : (long?)null;
        }, "reading a committed offset", cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<ConsumerOffset>> ListCommittedAsync(string shard, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckShard(shard);
        return await QueryAsync(shard, static async (connection, sql, shard, ct) =>
        {
            await using var command = PostgresSql.Command(connection, sql.ListCommitted, shard);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var found = new List<ConsumerOffset>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                found.Add(new ConsumerOffset(reader.GetString(0), reader.GetInt64(1)));
            }

            return (IReadOnlyList<ConsumerOffset>)found;
        }, "listing committed offsets", cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<long> ApplyRetentionAsync(string shard, RetentionPolicy policy, long nowUnixMs, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckShard(shard);
        ArgumentNullException.ThrowIfNull(policy);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();

        // In the committer's queue: retention moves a shard's start, which only the writer may do.
        var pass = new PostgresRetention(shard, policy, nowUnixMs);
        return _committer.TryEnqueue(pass) ? await pass.Task.ConfigureAwait(false) : throw Closed();
    }

    public async ValueTask<byte[]?> GetAsync(string space, string key, CancellationToken cancellationToken = default)
    {
        StorageNames.CheckSpace(space);
        ArgumentNullException.ThrowIfNull(key);
        return await QueryAsync((space, key: Encoding.UTF8.GetBytes(key)), static async (connection, sql, args, ct) =>
        {
            await using var command = PostgresSql.Command(connection, sql.GetKey, args.space, args.key);
            return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) as byte[];
        }, "reading a key", cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<StoredEntry> ScanAsync(string space, string keyPrefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StorageNames.CheckSpace(space);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        ThrowIfDisposed();
        var scan = await OpenScanAsync(space, keyPrefix, cancellationToken).ConfigureAwait(false);
        await using (scan.ConfigureAwait(false))
        {
            while (await scan.NextAsync(cancellationToken).ConfigureAwait(false) is { } entry)
            {
                yield return entry;
            }
        }
    }

    public async IAsyncEnumerable<string> ListShardsAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var names = await QueryAsync(prefix, static async (connection, sql, prefix, ct) =>
        {
            await using var command = PostgresSql.Command(connection, sql.ListShards, prefix);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var names = new List<string>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                names.Add(reader.GetString(0));
            }

            return names;
        }, "listing shards", cancellationToken).ConfigureAwait(false);

        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
        }
    }

    public async ValueTask<IReadOnlyList<SpaceUsage>> ListSpacesAsync(long maxKeys = SpaceUsage.DefaultMaxKeys, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeys, 1);
        return await QueryAsync(maxKeys, static async (connection, sql, maxKeys, ct) =>
        {
            // One row past the cap tells a space that reaches it from one that has exactly the cap.
            await using var command = PostgresSql.Command(connection, sql.ListSpaces, maxKeys == long.MaxValue ? maxKeys : maxKeys + 1);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var found = new List<SpaceUsage>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var keys = reader.GetInt64(1);
                found.Add(keys > maxKeys
                    ? new SpaceUsage(reader.GetString(0), maxKeys, reader.GetInt64(2), KeysAtLeast: true)
                    : new SpaceUsage(reader.GetString(0), keys, reader.GetInt64(2), KeysAtLeast: false));
            }

            return (IReadOnlyList<SpaceUsage>)found;
        }, "listing spaces", cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _committer.StopAsync().ConfigureAwait(false);
        await _reads.DisposeAsync().ConfigureAwait(false);
    }

    private static StorageException Closed() => new(StorageErrorKind.Closed, "the storage engine is disposed");

    /// <summary>
    /// The first key after every key that starts with <paramref name="prefix"/> (UTF-8 bytes), or null when there is none.
    /// </summary>
    private static byte[]? UpperBound(byte[] prefix)
    {
        var end = prefix.Length;
        while (end > 0 && prefix[end - 1] == 0xFF)
        {
            end--;
        }

        if (end == 0)
        {
            return null;
        }

        var upper = prefix.AsSpan(0, end).ToArray();
        upper[end - 1]++;
        return upper;
    }

    private async Task<PostgresScan> OpenScanAsync(string space, string keyPrefix, CancellationToken cancellationToken)
    {
        var prefix = Encoding.UTF8.GetBytes(keyPrefix);
        var upper = prefix.Length == 0 ? null : UpperBound(prefix);
        return await QueryAsync((space, prefix, upper), static async (connection, sql, args, ct) =>
        {
            var command = args.prefix.Length == 0 ? PostgresSql.Command(connection, sql.ScanAll, args.space)
                : args.upper is null ? PostgresSql.Command(connection, sql.ScanFrom, args.space, args.prefix)
                : PostgresSql.Command(connection, sql.ScanRange, args.space, args.prefix, args.upper);
            try
            {
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                return new PostgresScan(command, reader);
            }
            catch
            {
                await command.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }, "a scan", cancellationToken, keepConnection: true).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="query"/> on a pooled connection; a connection that turns out broken (the server restarted
    /// since it was pooled) is dropped with the pool's idle ones and the query tried once more. Failures become
    /// <see cref="StorageException"/>.
    /// </summary>
    private async Task<T> QueryAsync<TArgs, T>(TArgs args, Func<NpgsqlConnection, PostgresSql, TArgs, CancellationToken, Task<T>> query, string what,
        CancellationToken cancellationToken, bool keepConnection = false)
    {
        ThrowIfDisposed();
        for (var attempt = 0; ; attempt++)
        {
            NpgsqlConnection? connection = null;
            try
            {
                connection = await _reads.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                var result = await query(connection, _sql, args, cancellationToken).ConfigureAwait(false);
                if (keepConnection)
                {
                    connection = null;
                }

                return result;
            }
            catch (ObjectDisposedException) when (Volatile.Read(ref _disposed) != 0)
            {
                throw Closed();
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && PostgresErrors.IsDatabaseFailure(e))
            {
                ThrowIfDisposed();
                if (PostgresErrors.BreaksConnection(e))
                {
                    _reads.Clear();
                    if (attempt == 0)
                    {
                        continue;
                    }
                }

                throw PostgresErrors.Map(e, what);
            }
            finally
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    private void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw Closed();
        }
    }
}
