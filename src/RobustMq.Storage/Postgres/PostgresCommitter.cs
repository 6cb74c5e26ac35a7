using System.Data;
using System.Threading.Channels;
using Npgsql;

namespace RobustMq.Storage.Postgres;

/// <summary>
/// The one writer of a <see cref="PostgresStorageEngine"/>: a loop over a queue of writes and retention passes, on
/// one connection of its own (not pooled) that holds the schema's session-level advisory lock. Each turn takes every
/// write queued (up to <see cref="MaxGroupWrites"/>) and commits them in one transaction sent as one
/// <see cref="NpgsqlBatch"/>, then completes every waiter (group commit). Offsets come from a cache of the
/// <c>shards</c> rows, loaded on first use: this loop is the only writer of the schema (the lock keeps other
/// processes out), so the cache stays true; it is dropped after any failure and on every reconnect.
/// </summary>
internal sealed class PostgresCommitter
{
    /// <summary>At most this many writes share a transaction.</summary>
    public const int MaxGroupWrites = 1024;

    /// <summary>A group stops growing past this many bytes of values.</summary>
    public const long MaxGroupBytes = 32L << 20;

    private readonly string _connectionString;
    private readonly PostgresSql _sql;
    private readonly string _synchronousCommit;

    /// <summary><see cref="PostgresStorageOptions.Shared"/>: bounds are read in each transaction under a row lock, never kept.</summary>
    private readonly bool _shared;
    private readonly Channel<PostgresWork> _queue = Channel.CreateUnbounded<PostgresWork>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, PostgresShard> _cache = new(StringComparer.Ordinal);
    private readonly List<PostgresWrite> _group = [];
    private readonly HashSet<string> _unknown = new(StringComparer.Ordinal);
    private NpgsqlConnection? _connection;
    private Task _loop = Task.CompletedTask;
    private volatile bool _stopping;
    private long _transactions;
    private long _writes;

    public PostgresCommitter(PostgresStorageOptions options, PostgresSql sql)
    {
        // Own connection, not pooled: a session-level advisory lock must not go back to a pool.
        _connectionString = new NpgsqlConnectionStringBuilder(options.ConnectionString) { Pooling = false, Enlist = false }.ConnectionString;
        _sql = sql;
        _synchronousCommit = options.Sync.Mode == StorageSyncMode.Always ? "on" : "off";
        _shared = options.Shared;
    }

    /// <summary>Transactions committed so far (a group of writes or a retention pass each).</summary>
    public long Transactions => Interlocked.Read(ref _transactions);

    /// <summary>Writes committed so far.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Connects (lock, schema) and starts the loop.</summary>
    /// <exception cref="StorageException">Unreachable, or the schema is held by another engine.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (PostgresErrors.IsDatabaseFailure(e))
        {
            await DropConnectionAsync().ConfigureAwait(false);
            throw PostgresErrors.Map(e, "opening the storage schema");
        }

        _loop = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>False once stopping: the caller says Closed.</summary>
    public bool TryEnqueue(PostgresWork work) => !_stopping && _queue.Writer.TryWrite(work);

    /// <summary>Lets the group in flight finish, fails what is still queued with Closed, closes the connection (releasing the lock).</summary>
    public async ValueTask StopAsync()
    {
        _stopping = true;
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        var closed = new StorageException(StorageErrorKind.Closed, "the storage engine is disposed");
        while (_queue.Reader.TryRead(out var left))
        {
            left.Fail(closed);
        }

        await DropConnectionAsync().ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false) && !_stopping)
        {
            _group.Clear();
            long bytes = 0;
            PostgresRetention? retention = null;
            while (_group.Count < MaxGroupWrites && bytes < MaxGroupBytes && reader.TryPeek(out var next))
            {
                if (next is PostgresRetention pass)
                {
                    if (_group.Count == 0 && reader.TryRead(out _))
                    {
                        retention = pass;
                    }

                    break;
                }

                reader.TryRead(out _);
                var write = (PostgresWrite)next;
                _group.Add(write);
                bytes += ValueBytes(write.Batch);
            }

            if (_group.Count > 0)
            {
                await CommitGroupAsync().ConfigureAwait(false);
            }

            if (retention is not null)
            {
                await RetainAsync(retention).ConfigureAwait(false);
            }
        }
    }

    private async Task CommitGroupAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            var reused = _connection is { State: ConnectionState.Open };
            var committing = false;
            try
            {
                var connection = await ConnectAsync(CancellationToken.None).ConfigureAwait(false);
                _unknown.Clear();
                foreach (var write in _group)
                {
                    PostgresGroup.CollectShards(write.Batch, _unknown);
                }

                // Shared: the bounds are read in the group's own transaction, their rows locked until it commits.
                if (_shared)
                {
                    _cache.Clear();
                }

                var transaction = _shared ? await connection.BeginTransactionAsync().ConfigureAwait(false) : null;
                try
                {
                    if (transaction is not null)
                    {
                        await InsertMissingShardsAsync(connection, transaction).ConfigureAwait(false);
                    }

                    await LoadShardsAsync(connection, transaction).ConfigureAwait(false);
                    var group = new PostgresGroup(_sql, _cache);
                    foreach (var write in _group)
                    {
                        write.Offsets = group.Add(write.Batch);
                    }

                    if (group.Finish() is { } batch)
                    {
                        await using (batch.ConfigureAwait(false))
                        {
                            transaction ??= await connection.BeginTransactionAsync().ConfigureAwait(false);
                            batch.Connection = connection;
                            batch.Transaction = transaction;
                            await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
                            committing = true;
                            await transaction.CommitAsync().ConfigureAwait(false);
                        }

                        group.ApplyTo(_cache);
                        Interlocked.Increment(ref _transactions);
                    }
                    else if (transaction is not null)
                    {
                        await transaction.CommitAsync().ConfigureAwait(false);
                    }
                }
                finally
                {
                    if (transaction is not null)
                    {
                        await transaction.DisposeAsync().ConfigureAwait(false);
                    }

                    if (_shared)
                    {
                        _cache.Clear();
                    }
                }

                Interlocked.Add(ref _writes, _group.Count);
                foreach (var write in _group)
                {
                    write.Complete();
                }

                return;
            }
            catch (Exception e) when (attempt == 0 && reused && !committing && PostgresErrors.BreaksConnection(e))
            {
                // The connection broke while it sat idle (server restarted, backend terminated) and the group never
                // reached COMMIT: once more on a new connection, with offsets from freshly loaded shards.
                await FailAsync(e, "a write").ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Boundary of one loop iteration: the group was rolled back (or, when the connection broke during
                // COMMIT, its outcome is unknown); every waiter hears the same error.
                var error = await FailAsync(e, "a write").ConfigureAwait(false);
                foreach (var write in _group)
                {
                    write.Fail(error);
                }

                return;
            }
        }
    }

    private async Task RetainAsync(PostgresRetention pass)
    {
        try
        {
            var connection = await ConnectAsync(CancellationToken.None).ConfigureAwait(false);
            _unknown.Clear();
            _unknown.Add(pass.Shard);
            if (_shared)
            {
                // Another process may have appended since: read the bounds afresh. The trim below only raises low,
                // and an appender's transaction locks the row, so the two never undo each other.
                _cache.Remove(pass.Shard);
            }

            await LoadShardsAsync(connection, null).ConfigureAwait(false);
            var shard = _cache[pass.Shard];
            if (!shard.Exists)
            {
                pass.Complete(0);
                return;
            }

            var records = await ReadSizesAsync(connection, pass.Shard, shard.Low).ConfigureAwait(false);
            var low = Math.Max(shard.Low, Retention.FirstKept(records, shard.Low, pass.Policy, pass.NowUnixMs));
            if (low > shard.Low)
            {
                await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
                await using var batch = new NpgsqlBatch(connection, transaction);
                batch.BatchCommands.Add(PostgresSql.BatchCommand(_sql.TrimRecords, pass.Shard, low));
                batch.BatchCommands.Add(PostgresSql.BatchCommand(_sql.UpdateLow, pass.Shard, low));
                await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
                await transaction.CommitAsync().ConfigureAwait(false);
                _cache[pass.Shard] = shard with { Low = low };
                Interlocked.Increment(ref _transactions);
            }

            pass.Complete(low);
        }
        catch (Exception e)
        {
            pass.Fail(await FailAsync(e, "a retention pass").ConfigureAwait(false));
        }
    }

    /// <summary>
    /// The shard's records as <see cref="Retention.FirstKept"/> reads them (timestamp and value length; the values
    /// are not fetched: each is a slice of one zeroed buffer of the right length).
    /// </summary>
    private async Task<List<StoredRecord>> ReadSizesAsync(NpgsqlConnection connection, string shard, long low)
    {
        List<(long Timestamp, int Length)> sizes = [];
        await using (var command = PostgresSql.Command(connection, _sql.RecordSizes, shard))
        {
            await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                sizes.Add((reader.GetInt64(0), reader.GetInt32(1)));
            }
        }

        var longest = 0;
        foreach (var (_, length) in sizes)
        {
            longest = Math.Max(longest, length);
        }

        var zeros = new byte[longest];
        var records = new List<StoredRecord>(sizes.Count);
        for (var i = 0; i < sizes.Count; i++)
        {
            records.Add(new StoredRecord(low + i, sizes[i].Timestamp, new ReadOnlyMemory<byte>(zeros, 0, sizes[i].Length)));
        }

        return records;
    }

    /// <summary>Shared mode: the rows of the shards the group may create, so that loading them locks them (see <see cref="PostgresSql.InsertMissingShards"/>).</summary>
    private async Task InsertMissingShardsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        var created = new HashSet<string>(StringComparer.Ordinal);
        foreach (var write in _group)
        {
            PostgresGroup.CollectCreatedShards(write.Batch, created);
        }

        if (created.Count == 0)
        {
            return;
        }

        await using var command = PostgresSql.Command(connection, _sql.InsertMissingShards, (object)created.ToArray());
        command.Transaction = transaction;
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private async Task LoadShardsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        _unknown.RemoveWhere(_cache.ContainsKey);
        if (_unknown.Count == 0)
        {
            return;
        }

        var sql = transaction is null ? _sql.LoadShards : _sql.LoadShardsForUpdate;
        await using (var command = PostgresSql.Command(connection, sql, (object)_unknown.ToArray()))
        {
            command.Transaction = transaction;
            await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                var name = reader.GetString(0);
                _cache[name] = new PostgresShard(true, reader.GetInt64(1), reader.GetInt64(2));
                _unknown.Remove(name);
            }
        }

        foreach (var name in _unknown)
        {
            _cache[name] = PostgresShard.Missing;
        }
    }

    /// <summary>The open connection, or a new one that holds the lock, has the schema and the sync setting.</summary>
    private async Task<NpgsqlConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_connection is { State: ConnectionState.Open } open)
        {
            return open;
        }

        await DropConnectionAsync().ConfigureAwait(false);
        var connection = new NpgsqlConnection(_connectionString);
        _connection = connection;
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (var locking = new NpgsqlCommand(_shared ? _sql.TryLockShared : _sql.TryLock, connection))
            {
                if (await locking.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
                {
                    throw new StorageException(StorageErrorKind.Unavailable, _shared
                        ? $"storage schema '{_sql.Schema}' is held by a single-writer engine (Storage:Postgres:Shared=false elsewhere)"
                        : $"storage schema '{_sql.Schema}' is in use by another engine (its advisory lock is held): a schema has one writer process at a time, unless every engine is shared (Storage:Postgres:Shared)");
                }
            }

            // Keepalives: a writer that vanishes (network cut) holds the schema's lock until the server notices it
            // is gone; with these, in about 25 s instead of the system default of hours.
            await using var setup = new NpgsqlCommand(
                $"SET synchronous_commit = {_synchronousCommit}; SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3;\n{_sql.CreateSchema}",
                connection);
            var version = await setup.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
            if (version != PostgresSql.SchemaVersion)
            {
                throw new StorageException(StorageErrorKind.Unavailable,
                    $"storage schema '{_sql.Schema}' has schema_version '{version}'; this build knows '{PostgresSql.SchemaVersion}'");
            }
        }
        catch
        {
            // Without the lock, the schema or the setting, this connection must not be used.
            await DropConnectionAsync().ConfigureAwait(false);
            throw;
        }

        return connection;
    }

    private async Task<StorageException> FailAsync(Exception e, string what)
    {
        _cache.Clear();
        if (PostgresErrors.BreaksConnection(e) || _connection is not { State: ConnectionState.Open })
        {
            await DropConnectionAsync().ConfigureAwait(false);
        }

        return PostgresErrors.Map(e, what);
    }

    private async Task DropConnectionAsync()
    {
        var connection = _connection;
        _connection = null;
        _cache.Clear();
        if (connection is not null)
        {
            if (connection.State == ConnectionState.Open)
            {
                try
                {
                    // The server releases a closed session's locks only once its backend has exited: an engine opened
                    // on this schema right after the dispose could still find it held.
                    await using var unlock = new NpgsqlCommand(_shared ? _sql.UnlockShared : _sql.Unlock, connection) { CommandTimeout = 2 };
                    await unlock.ExecuteScalarAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (PostgresErrors.IsDatabaseFailure(e))
                {
                    // A broken connection: closing it releases the lock once the server notices.
                }
            }

            try
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (PostgresErrors.IsDatabaseFailure(e))
            {
                // Closing a broken connection: nothing more to do.
            }
        }
    }

    private static long ValueBytes(StorageBatch batch)
    {
        long bytes = 0;
        foreach (var op in batch.Operations)
        {
            bytes += op.Value.Length;
        }

        return bytes;
    }
}
