using System.Data.Common;
using System.Text;
using System.Text.RegularExpressions;

namespace RobustMq.Gateway.Security.Authentication;

/// <summary>
/// <c>Auth:Postgres</c> and <c>Auth:MySql</c>: where the <c>postgres</c> and <c>mysql</c> sources find users.
/// <c>Query</c> is run for each CONNECT with a User Name; its placeholders <c>${username}</c>, <c>${clientid}</c> and
/// <c>${peerhost}</c> (EMQX's) are sent as parameters, never spliced into the text. Its first row's columns
/// <c>password_hash</c> (required), <c>salt</c>, <c>algorithm</c> and <c>is_superuser</c> are read by name.
/// </summary>
public sealed class SqlAuthOptions : PasswordHashOptions
{
    public const string DefaultQuery = "SELECT password_hash, salt, is_superuser FROM mqtt_user WHERE username = ${username} LIMIT 1";

    /// <summary>The Npgsql or MySqlConnector connection string.</summary>
    public string? ConnectionString { get; set; }

    public string Query { get; set; } = DefaultQuery;

    /// <summary>How long the query may take, in seconds (1-60).</summary>
    public int TimeoutSeconds { get; set; } = 5;
}

/// <summary>
/// The <c>postgres</c> and <c>mysql</c> authentication sources (EMQX's "password based, PostgreSQL/MySQL"): the user's
/// row of <see cref="SqlAuthOptions.Query"/>. No User Name, or no row: ignored (the next source is asked). A password
/// that matches the row's hash (<see cref="PasswordHashOptions"/>): allowed, a superuser when <c>is_superuser</c> is
/// true (or 1). One that does not: denied. A server that cannot be reached, a query that fails or times out:
/// unavailable.
/// </summary>
public sealed partial class SqlAuthSource : IAuthSource, IAsyncDisposable
{
    private readonly DbDataSource _database;
    private readonly SqlAuthOptions _options;
    private readonly string _query;
    private readonly string[] _parameters;

    /// <param name="name">The source's name in <c>Auth:Sources</c>.</param>
    /// <param name="database">Npgsql's or MySqlConnector's data source (a pool), owned by the source from now on.</param>
    public SqlAuthSource(string name, DbDataSource database, SqlAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        _database = database;
        _options = options;
        (_query, _parameters) = Parameterize(options.Query);
    }

    public string Name { get; }

    /// <summary>Closes the pool's connections.</summary>
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    /// <summary>
    /// <paramref name="query"/> with each <c>${name}</c> replaced by the parameter <c>@name</c>, and the names used.
    /// </summary>
    /// <exception cref="ArgumentException">A placeholder other than <c>${username}</c>, <c>${clientid}</c>, <c>${peerhost}</c>.</exception>
    public static (string Sql, string[] Parameters) Parameterize(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var used = new List<string>();
        var sql = Placeholder().Replace(query, match =>
        {
            var name = match.Groups[1].Value;
            if (name is not ("username" or "clientid" or "peerhost"))
            {
                throw new ArgumentException($"'${{{name}}}' is not a placeholder (${{username}}, ${{clientid}}, ${{peerhost}})", nameof(query));
            }

            if (!used.Contains(name))
            {
                used.Add(name);
            }

            return "@" + name;
        });
        return (sql, [.. used]);
    }

    public async ValueTask<AuthResult> AuthenticateAsync(AuthRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.UserName is not { Length: > 0 } userName)
        {
            return AuthResult.Ignored;
        }

        StoredCredential? credential;
        try
        {
            credential = await ReadAsync(request, userName, cancellationToken);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException or InvalidOperationException or IOException
                                       || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return AuthResult.Down($"{Name}: {ex.Message}");
        }

        if (credential is null)
        {
            return AuthResult.Ignored;
        }

        if (request.Password is not { } password)
        {
            return AuthResult.Denied("no password");
        }

        if (_options.Verify(credential, password.Span, out var unknown))
        {
            return AuthResult.Allowed(credential.Superuser);
        }

        return AuthResult.Denied(unknown is null ? "wrong password" : $"the stored algorithm '{unknown}' is not known");
    }

    private async Task<StoredCredential?> ReadAsync(AuthRequest request, string userName, CancellationToken cancellationToken)
    {
        await using var command = SqlQuery.Create(_database, _query, _parameters, _options.TimeoutSeconds, request.ClientId, userName, request.Peer);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
        await using var reader = await command.ExecuteReaderAsync(timeout.Token);
        if (!await reader.ReadAsync(timeout.Token))
        {
            return null;
        }

        var hash = Column(reader, "password_hash") ?? throw new InvalidOperationException("the query's row has no password_hash column (or it is null)");
        return new StoredCredential(hash, Column(reader, "salt"), Column(reader, "algorithm"), IsTrue(Column(reader, "is_superuser")));
    }

    /// <summary>The address of <c>address:port</c>, or null.</summary>
    public static string? PeerHost(string? peer) =>
        peer is not null && System.Net.IPEndPoint.TryParse(peer, out var endPoint) ? endPoint.Address.ToString() : null;

    /// <summary><c>true</c>, <c>t</c>, <c>1</c> (a boolean, a number or text).</summary>
    public static bool IsTrue(string? value) => value is not null && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("t", StringComparison.OrdinalIgnoreCase));

    private static string? Column(DbDataReader reader, string name)
    {
        for (var i = 0; i < reader.FieldCount; i++)
        {
            if (string.Equals(reader.GetName(i), name, StringComparison.OrdinalIgnoreCase))
            {
                return reader.IsDBNull(i) ? null : reader.GetValue(i) switch
                {
                    byte[] bytes => Encoding.UTF8.GetString(bytes),
                    bool flag => flag ? "true" : "false",
                    var value => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
                };
            }
        }

        return null;
    }

    [GeneratedRegex(@"\$\{([A-Za-z_]+)\}")]
    private static partial Regex Placeholder();
}
