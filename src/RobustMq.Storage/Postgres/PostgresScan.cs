using System.Text;
using Npgsql;

namespace RobustMq.Storage.Postgres;

/// <summary>
/// A keyed scan streamed from the server: owns its command, reader and pooled connection until disposed; failures
/// while reading become <see cref="StorageException"/>.
/// </summary>
internal sealed class PostgresScan(NpgsqlCommand command, NpgsqlDataReader reader) : IAsyncDisposable
{
    public async ValueTask<StoredEntry?> NextAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            return new StoredEntry(Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(0)), reader.GetFieldValue<byte[]>(1));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && PostgresErrors.IsDatabaseFailure(e))
        {
            throw PostgresErrors.Map(e, "a scan");
        }
    }

    public async ValueTask DisposeAsync()
    {
        var connection = command.Connection;
        try
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            await command.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (PostgresErrors.IsDatabaseFailure(e))
        {
            // The connection broke mid-scan; closing it below is all that is left.
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
