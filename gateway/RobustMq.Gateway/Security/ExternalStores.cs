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

/// <summary>The start-up checks of a SQL or Redis store's settings, the same for authentication and ACL sources.</summary>
public static class ExternalStoreChecks
{
    /// <summary>
    /// What is wrong with the <paramref name="source"/> (<c>postgres</c> or <c>mysql</c>) store's settings under
    /// <paramref name="section"/> (<c>Auth:Postgres</c>, <c>Acl:MySql</c>, ...): a missing or unreadable connection
    /// string (an unknown keyword, a bad value), a query whose placeholders cannot be sent, a timeout out of 1-60 s.
    /// </summary>
    public static IEnumerable<string> SqlProblems(string source, string section, string? connectionString, string query, int timeoutSeconds)
    {
        var list = section.Split(':')[0] + ":Sources";
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            yield return $"{list} has {source}: {section}:ConnectionString is required";
        }
        else if (ConnectionStringProblem(source, connectionString) is { } problem)
        {
            yield return $"{section}:ConnectionString cannot be read: {problem}";
        }

        string? queryProblem = null;
        try
        {
            SqlAuthSource.Parameterize(query);
        }
        catch (ArgumentException ex)
        {
            queryProblem = $"{section}:Query: {ex.Message.Split(" (Parameter", 2)[0]}";
        }

        if (queryProblem is not null)
        {
            yield return queryProblem;
        }

        if (timeoutSeconds is < 1 or > 60)
        {
            yield return $"{section}:TimeoutSeconds must be 1-60 (got {timeoutSeconds})";
        }
    }

    /// <summary>What is wrong with a Redis store's settings under <paramref name="section"/>: a missing or unreadable configuration, a timeout out of 1-60000 ms.</summary>
    public static IEnumerable<string> RedisProblems(string section, string? connectionString, int timeoutMs)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            yield return $"{section.Split(':')[0]}:Sources has redis: {section}:ConnectionString is required";
        }
        else
        {
            string? problem = null;
            try
            {
                ConfigurationOptions.Parse(connectionString);
            }
            catch (ArgumentException ex)
            {
                problem = $"{section}:ConnectionString is not a Redis configuration: {ex.Message}";
            }

            if (problem is not null)
            {
                yield return problem;
            }
        }

        if (timeoutMs is < 1 or > 60_000)
        {
            yield return $"{section}:TimeoutMs must be 1-60000 (got {timeoutMs})";
        }
    }

    private static string? ConnectionStringProblem(string source, string connectionString)
    {
        try
        {
            _ = source == "postgres"
                ? new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Host
                : new MySqlConnector.MySqlConnectionStringBuilder(connectionString).Server;
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            return ex.Message.ReplaceLineEndings(" ");
        }
    }
}
