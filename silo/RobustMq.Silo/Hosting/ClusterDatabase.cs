using Npgsql;

namespace RobustMq.Silo.Hosting;

/// <summary>
/// The PostgreSQL database of a cluster (<c>Cluster:Mode=AdoNet</c>): the membership tables and the
/// <c>OrleansQuery</c> rows of Orleans ADO.NET clustering, from <c>deploy/sql/postgresql-cluster.sql</c> (built into
/// the executable). <see cref="InitializeAsync"/> applies it (<c>robustmq db init</c>); <see cref="CheckAsync"/> is
/// what a silo asks before it starts.
/// </summary>
public static class ClusterDatabase
{
    /// <summary>The name of the schema script, as a resource of this assembly and as a file under <c>deploy/sql/</c>.</summary>
    public const string ScriptName = "postgresql-cluster.sql";

    /// <summary>The ADO.NET invariant name Orleans loads the Npgsql provider by.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>The query keys Orleans ADO.NET clustering needs in <c>OrleansQuery</c> (it refuses to start without any of them).</summary>
    public static readonly IReadOnlyList<string> QueryKeys =
    [
        "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "UpdateIAmAlivetimeKey", "MembershipReadRowKey",
        "MembershipReadAllKey", "GatewaysQueryKey", "DeleteMembershipTableEntriesKey", "CleanupDefunctSiloEntriesKey",
    ];

    /// <summary>The schema script's text.</summary>
    public static string Script
    {
        get
        {
            using var stream = typeof(ClusterDatabase).Assembly.GetManifestResourceStream(ScriptName)
                ?? throw new InvalidOperationException($"{ScriptName} is not built into {typeof(ClusterDatabase).Assembly.GetName().Name}");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    /// <summary>
    /// Creates the tables when missing and writes this version's query texts (idempotent), in one transaction.
    /// </summary>
    /// <exception cref="ClusterDatabaseException">The database cannot be reached or refused the script; the message is one line.</exception>
    public static async Task InitializeAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(connectionString, cancellationToken);
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var command = new NpgsqlCommand(Script, connection, transaction))
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        catch (PostgresException ex)
        {
            throw new ClusterDatabaseException($"{Describe(connection)} refused the cluster schema: {ex.MessageText} ({ex.SqlState})", ex);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new ClusterDatabaseException($"{Describe(connection)}: {Innermost(ex).Message}", ex);
        }
    }

    /// <summary>Checks that the database answers and holds every query Orleans needs.</summary>
    /// <exception cref="ClusterDatabaseException">It does not; the message is one line and says what to do.</exception>
    public static async Task CheckAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(connectionString, cancellationToken);
        var present = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await using var command = new NpgsqlCommand("SELECT QueryKey FROM OrleansQuery", connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                present.Add(reader.GetString(0));
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            throw new ClusterDatabaseException($"{Describe(connection)} has no cluster schema (no table OrleansQuery): run `robustmq db init --connection \"...\"` first", ex);
        }
        catch (PostgresException ex)
        {
            throw new ClusterDatabaseException($"{Describe(connection)}: {ex.MessageText} ({ex.SqlState})", ex);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new ClusterDatabaseException($"{Describe(connection)}: {Innermost(ex).Message}", ex);
        }

        var missing = QueryKeys.Where(k => !present.Contains(k)).ToArray();
        if (missing.Length > 0)
        {
            throw new ClusterDatabaseException(
                $"{Describe(connection)} misses cluster queries {string.Join(", ", missing)}: run `robustmq db init --connection \"...\"` to bring the schema up to date");
        }
    }

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        }
        catch (ArgumentException ex)
        {
            throw new ClusterDatabaseException($"Cluster:ConnectionString is not an Npgsql connection string: {ex.Message}", ex);
        }

        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            await connection.DisposeAsync();
            var reason = ex is PostgresException pg ? $"{pg.MessageText} ({pg.SqlState})" : Innermost(ex).Message;
            throw new ClusterDatabaseException($"cannot reach the cluster database at {builder.Host}:{builder.Port} ({builder.Database ?? builder.Username}): {reason}", ex);
        }
    }

    private static string Describe(NpgsqlConnection connection) => $"the cluster database {connection.Database} at {connection.Host}:{connection.Port}";

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }
}

/// <summary>The cluster database cannot be used: unreachable, refusing, or without the schema. The message is one line.</summary>
public sealed class ClusterDatabaseException : Exception
{
    public ClusterDatabaseException(string message)
        : base(message)
    {
    }

    public ClusterDatabaseException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
