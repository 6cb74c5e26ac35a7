using System.Data.Common;
using RobustMq.Gateway.Security.Authentication;
using StackExchange.Redis;

namespace RobustMq.Gateway.Security;

/// <summary>
/// A store of per-client ACL rules (<c>Acl:Sources</c>): asked once per CONNECT for the rules of that client, which
/// the connection then holds (its decisions need no further call). A rule it gives applies to that client only.
/// </summary>
public interface IAclSource
{
    /// <summary>The source's name in <c>Acl:Sources</c> (<c>postgres</c>, <c>mysql</c>, <c>redis</c>).</summary>
    string Name { get; }

    /// <summary>The client's rules in the order they are tried.</summary>
    /// <exception cref="AclSourceException">The store cannot be read, or gave a row that is not a rule.</exception>
    ValueTask<IReadOnlyList<AclRule>> RulesForAsync(string clientId, string? userName, string? peer, CancellationToken cancellationToken);
}

/// <summary>The node's ACL sources (<c>Acl:Sources</c>), in order; empty when rules come from the file alone.</summary>
public sealed class AclSourceList(IReadOnlyList<IAclSource> sources)
{
    public IReadOnlyList<IAclSource> Sources { get; } = sources;

    /// <summary>
    /// <paramref name="shared"/> with the client's rules from every source before it (sources in order), or
    /// <paramref name="shared"/> itself when there are no sources.
    /// </summary>
    /// <exception cref="AclSourceException">A source cannot give them.</exception>
    public async ValueTask<AclRuleSet> ForClientAsync(AclRuleSet shared, string clientId, string? userName, string? peer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shared);
        if (Sources.Count == 0)
        {
            return shared;
        }

        var rules = new List<AclRule>();
        foreach (var source in Sources)
        {
            rules.AddRange(await source.RulesForAsync(clientId, userName, peer, cancellationToken));
        }

        return shared.WithFirst(rules);
    }
}

/// <summary>An ACL source could not give a client's rules: its CONNECT is refused with 0x88 Server unavailable.</summary>
public sealed class AclSourceException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// <c>Acl:Postgres</c> and <c>Acl:MySql</c>: the query that gives a client's rules, one per row, with the columns
/// <c>permission</c> (<c>allow</c>/<c>deny</c>), <c>action</c> (<c>publish</c>/<c>subscribe</c>/<c>all</c>) and
/// <c>topic</c> (a filter, <c>%c</c> and <c>%u</c> allowed), read by name; placeholders as <see cref="SqlAuthOptions"/>.
/// </summary>
public sealed class SqlAclOptions
{
    public const string DefaultQuery = "SELECT permission, action, topic FROM mqtt_acl WHERE username = ${username}";

    public string? ConnectionString { get; set; }

    public string Query { get; set; } = DefaultQuery;

    /// <summary>How long the query may take, in seconds (1-60).</summary>
    public int TimeoutSeconds { get; set; } = 5;
}

/// <summary>The <c>postgres</c> and <c>mysql</c> ACL sources (EMQX's PostgreSQL/MySQL authorizers): the rows of <see cref="SqlAclOptions.Query"/>, in order.</summary>
public sealed class SqlAclSource : IAclSource
{
    private readonly DbDataSource _database;
    private readonly SqlAclOptions _options;
    private readonly string _query;
    private readonly string[] _parameters;

    public SqlAclSource(string name, DbDataSource database, SqlAclOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        _database = database;
        _options = options;
        (_query, _parameters) = SqlAuthSource.Parameterize(options.Query);
    }

    public string Name { get; }

    public async ValueTask<IReadOnlyList<AclRule>> RulesForAsync(string clientId, string? userName, string? peer, CancellationToken cancellationToken)
    {
        var rules = new List<AclRule>();
        try
        {
            await using var command = SqlQuery.Create(_database, _query, _parameters, _options.TimeoutSeconds, clientId, userName, peer);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
            await using var reader = await command.ExecuteReaderAsync(timeout.Token);
            var (permission, action, topic) = (reader.GetOrdinal("permission"), reader.GetOrdinal("action"), reader.GetOrdinal("topic"));
            var row = 0;
            while (await reader.ReadAsync(timeout.Token))
            {
                row++;
                rules.Add(AclRules.Of(
                    reader.IsDBNull(permission) ? null : reader.GetValue(permission).ToString(),
                    reader.IsDBNull(action) ? null : reader.GetValue(action).ToString(),
                    reader.IsDBNull(topic) ? null : reader.GetValue(topic).ToString(),
                    $"{Name} row {row}"));
            }
        }
        catch (Exception ex) when (ex is DbException or TimeoutException or InvalidOperationException or IOException or IndexOutOfRangeException
                                       || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new AclSourceException($"{Name}: {ex.Message}", ex);
        }

        return rules;
    }
}

/// <summary>
/// <c>Acl:Redis</c>: a hash per user at <c>KeyPrefix</c> + User Name whose fields are topic filters and values the
/// action allowed on each (<c>publish</c>, <c>subscribe</c>, <c>all</c>), as EMQX's Redis authorizer
/// (<c>HGETALL mqtt_acl:${username}</c>): every rule of it allows.
/// </summary>
public sealed class RedisAclOptions
{
    public string? ConnectionString { get; set; }

    public string KeyPrefix { get; set; } = "mqtt_acl:";

    /// <summary>How long a lookup may take, in milliseconds (1-60000).</summary>
    public int TimeoutMs { get; set; } = 5000;
}

/// <summary>The <c>redis</c> ACL source (<see cref="RedisAclOptions"/>); a client without a User Name has no rules here.</summary>
public sealed class RedisAclSource(RedisAclOptions options) : IAclSource, IAsyncDisposable
{
    private readonly LazyRedis _redis = new(options.ConnectionString!, options.TimeoutMs);

    public string Name => "redis";

    public async ValueTask<IReadOnlyList<AclRule>> RulesForAsync(string clientId, string? userName, string? peer, CancellationToken cancellationToken)
    {
        if (userName is not { Length: > 0 })
        {
            return [];
        }

        HashEntry[] entries;
        try
        {
            var redis = await _redis.GetAsync(cancellationToken);
            entries = await redis.GetDatabase().HashGetAllAsync(options.KeyPrefix + userName)
                .WaitAsync(TimeSpan.FromMilliseconds(options.TimeoutMs), cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            throw new AclSourceException("redis: " + ex.Message, ex);
        }

        var rules = new List<AclRule>(entries.Length);
        foreach (var entry in entries)
        {
            rules.Add(AclRules.Of("allow", entry.Value, entry.Name, $"redis {options.KeyPrefix}{userName} {entry.Name}"));
        }

        return rules;
    }

    public ValueTask DisposeAsync() => _redis.DisposeAsync();
}

/// <summary>Rules made from a store's values.</summary>
public static class AclRules
{
    /// <summary>
    /// The rule <paramref name="permission"/> <paramref name="action"/> <paramref name="topic"/> for one client (any
    /// case); <paramref name="where"/> names it in an error.
    /// </summary>
    /// <exception cref="AclSourceException">A value that is not allow/deny, publish/subscribe/all, or a topic filter.</exception>
    public static AclRule Of(string? permission, string? action, string? topic, string where)
    {
        bool allow = permission?.Trim().ToLowerInvariant() switch
        {
            "allow" => true,
            "deny" => false,
            _ => throw new AclSourceException($"{where}: permission must be allow or deny (got '{permission}')"),
        };
        AclAction? on = action?.Trim().ToLowerInvariant() switch
        {
            "publish" => AclAction.Publish,
            "subscribe" => AclAction.Subscribe,
            "all" => null,
            _ => throw new AclSourceException($"{where}: action must be publish, subscribe or all (got '{action}')"),
        };
        if (string.IsNullOrEmpty(topic) || !RobustMq.Protocol.Topics.TopicValidator.IsValidTopicFilter(topic))
        {
            throw new AclSourceException($"{where}: '{topic}' is not a topic filter");
        }

        return new AclRule(allow, on, topic, null, null, allow ? (byte)0 : (byte)0x87, 0);
    }
}
