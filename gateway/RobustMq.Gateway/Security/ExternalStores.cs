using System.Data.Common;
using RobustMq.Gateway.Security.Authentication;
using StackExchange.Redis;

namespace RobustMq.Gateway.Security;

/// <summary>
/// A Redis connection made at first use and kept (StackExchange.Redis reconnects it after a drop; a failed first
/// connect does not throw for ever), shared by a source's lookups. Thread-safe.
/// </summary>
public sealed class LazyRedis(string configuration, int timeoutMs) : IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ConnectionMultiplexer? _redis;

    /// <summary>The connection, made now if it is the first call.</summary>
    /// <exception cref="RedisException">The configuration cannot be used.</exception>
    public async ValueTask<ConnectionMultiplexer> GetAsync(CancellationToken cancellationToken)
    {
        if (_redis is { } connected)
        {
            return connected;
        }

        await _connecting.WaitAsync(cancellationToken);
        try
        {
            if (_redis is null)
            {
                var options = ConfigurationOptions.Parse(configuration);
                options.AbortOnConnectFail = false;
                options.ConnectTimeout = options.SyncTimeout = options.AsyncTimeout = timeoutMs;
                _redis = await ConnectionMultiplexer.ConnectAsync(options);
            }

            return _redis;
        }
        finally
        {
            _connecting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is { } redis)
        {
            await redis.DisposeAsync();
        }

        _connecting.Dispose();
    }
}

/// <summary>A store's query with its placeholders (<see cref="SqlAuthSource.Parameterize"/>) bound for one client.</summary>
public static class SqlQuery
{
    /// <summary>
    /// <paramref name="sql"/> as a command of <paramref name="database"/>, each of <paramref name="parameters"/>
    /// (<c>username</c>, <c>clientid</c>, <c>peerhost</c>) bound to the client's value (NULL when it has none).
    /// </summary>
    public static DbCommand Create(DbDataSource database, string sql, string[] parameters, int timeoutSeconds, string clientId, string? userName, string? peer)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(parameters);
        var command = database.CreateCommand(sql);
        command.CommandTimeout = timeoutSeconds;
        foreach (var name in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = name switch
            {
                "username" => (object?)userName ?? DBNull.Value,
                "clientid" => clientId,
                _ => (object?)SqlAuthSource.PeerHost(peer) ?? DBNull.Value,
            };
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
