using System.Net.Sockets;
using Npgsql;

namespace RobustMq.Storage.Postgres;

/// <summary>The one place that turns what Npgsql and the server say into a <see cref="StorageException"/>.</summary>
internal static class PostgresErrors
{
    /// <summary>SQLSTATE disk_full.</summary>
    public const string DiskFull = "53100";

    /// <summary>Whether <paramref name="e"/> is a failure of the database (to map), not a bug or a cancellation.</summary>
    public static bool IsDatabaseFailure(Exception e) =>
        e is NpgsqlException or IOException or SocketException or TimeoutException or StorageException
        || (e is InvalidOperationException && e.Source == "Npgsql");

    /// <summary>Whether the connection that threw <paramref name="e"/> cannot be used again (network, server gone).</summary>
    public static bool BreaksConnection(Exception e) => e switch
    {
        StorageException => false,
        // FATAL ends the session (57P01: terminated by an administrator or a shutdown); class 08: connection exceptions.
        PostgresException pg => pg.InvariantSeverity is "FATAL" or "PANIC" || pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P", StringComparison.Ordinal),
        _ => true,
    };

    public static StorageException Map(Exception e, string what)
    {
        switch (e)
        {
            case StorageException storage:
                return storage;
            case PostgresException { SqlState: DiskFull } pg:
                return new StorageException(StorageErrorKind.Full, $"PostgreSQL is out of disk space ({what}): {pg.MessageText}", e);
            case PostgresException { SqlState: "XX001" or "XX002" } pg:
                return new StorageException(StorageErrorKind.Corrupt, $"PostgreSQL reports corrupt data ({what}): {pg.SqlState} {pg.MessageText}", e);
            case PostgresException pg when BreaksConnection(pg):
                return new StorageException(StorageErrorKind.Unavailable, $"PostgreSQL closed the connection ({what}): {pg.SqlState} {pg.MessageText}", e);
            case PostgresException pg:
                return new StorageException(StorageErrorKind.Unavailable, $"PostgreSQL refused {what}: {pg.SqlState} {pg.MessageText}", e);
            default:
                return new StorageException(StorageErrorKind.Unavailable, $"PostgreSQL unreachable ({what}): {e.Message}", e);
        }
    }
}
