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

/// <summary>
/// An ACL source that holds its rules in memory and may change them while clients are connected (the built-in store):
/// a connection asks it again, without a call, when told that its rules changed.
/// </summary>
public interface IHeldAclSource : IAclSource
{
    /// <summary>The client's rules as held now, in the order they are tried.</summary>
    IReadOnlyList<AclRule> RulesFor(string clientId, string? userName);
}

/// <summary>
/// The node's ACL sources (<c>Acl:Sources</c>), in order; empty when rules come from the file alone. Disposing it
/// disposes the sources it owns (its SQL pools and Redis connections; not the built-in store, a service of its own).
/// </summary>
public sealed class AclSourceList(IReadOnlyList<IAclSource> sources) : IAsyncDisposable
{
    public IReadOnlyList<IAclSource> Sources { get; } = sources;

    public async ValueTask DisposeAsync()
    {
        foreach (var source in Sources)
        {
            if (source is IAsyncDisposable owned and not IHeldAclSource)
            {
                await owned.DisposeAsync();
            }
        }
    }

    /// <summary>The client's rules from every source, one list per source in order.</summary>
    /// <exception cref="AclSourceException">A source cannot give them.</exception>
    public async ValueTask<IReadOnlyList<AclRule>[]> FetchAsync(string clientId, string? userName, string? peer, CancellationToken cancellationToken)
    {
        var fetched = new IReadOnlyList<AclRule>[Sources.Count];
        for (var i = 0; i < fetched.Length; i++)
        {
            fetched[i] = await Sources[i].RulesForAsync(clientId, userName, peer, cancellationToken);
        }

        return fetched;
    }

    /// <summary>
    /// <paramref name="fetched"/> (from <see cref="FetchAsync"/>) with the lists of the held sources asked again, for
    /// after they changed; the others' are kept as fetched at CONNECT.
    /// </summary>
    public IReadOnlyList<AclRule>[] Refresh(IReadOnlyList<AclRule>[] fetched, string clientId, string? userName)
    {
        ArgumentNullException.ThrowIfNull(fetched);
        var refreshed = (IReadOnlyList<AclRule>[])fetched.Clone();
        for (var i = 0; i < refreshed.Length; i++)
        {
            if (Sources[i] is IHeldAclSource held)
            {
                refreshed[i] = held.RulesFor(clientId, userName);
            }
        }

        return refreshed;
    }

    /// <summary><paramref name="shared"/> with the rules of <paramref name="fetched"/> before it, in order.</summary>
    public static AclRuleSet Compose(AclRuleSet shared, IReadOnlyList<AclRule>[] fetched)
    {
        ArgumentNullException.ThrowIfNull(shared);
        ArgumentNullException.ThrowIfNull(fetched);
        return shared.WithFirst([.. fetched.SelectMany(rules => rules)]);
    }
}

/// <summary>An ACL source could not give a client's rules: its CONNECT is refused with 0x88 Server unavailable.</summary>
public sealed class AclSourceException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// <c>Acl:Postgres</c> and <c>Acl:MySql</c>: the query that gives a client's rules, one per row, with the columns
/// <c>permission</c> (<c>allow</c>/<c>deny</c>), <c>action</c> (<c>publish</c>/<c>subscribe</c>/<c>all</c>) and
/// <c>topic</c> (a filter, <c>%c</c> and <c>%u</c> allowed), and optionally the conditions <c>ipaddr</c> (an address
/// or CIDR network), <c>qos</c> (<c>0,1</c>) and <c>retain</c> (<c>true</c>/<c>false</c>/1/0), NULL for none; read by
/// name; placeholders as <see cref="SqlAuthOptions"/>.
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
public sealed class SqlAclSource : IAclSource, IAsyncDisposable
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

    /// <summary>Closes the pool's connections (the data source is the source's own).</summary>
    public ValueTask DisposeAsync() => _database.DisposeAsync();

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
            var (ipaddr, qos, retain) = (OptionalColumn(reader, "ipaddr"), OptionalColumn(reader, "qos"), OptionalColumn(reader, "retain"));
            var row = 0;
            while (await reader.ReadAsync(timeout.Token))
            {
                row++;
                rules.Add(AclRules.Of(
                    Text(reader, permission),
                    Text(reader, action),
                    Text(reader, topic),
                    $"{Name} row {row}",
                    new AclRuleConditions(Text(reader, ipaddr), Text(reader, qos), Text(reader, retain))));
            }
        }
        catch (Exception ex) when (ex is DbException or TimeoutException or InvalidOperationException or IOException or IndexOutOfRangeException
                                       || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new AclSourceException($"{Name}: {ex.Message}", ex);
        }

        return rules;
    }

    /// <summary>The column's value as text (a bool as <c>True</c>/<c>False</c>, a number in the invariant culture), or null for NULL or no column (-1).</summary>
    private static string? Text(DbDataReader reader, int column) =>
        column < 0 || reader.IsDBNull(column) ? null : Convert.ToString(reader.GetValue(column), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The ordinal of a column the query may leave out, or -1.</summary>
    private static int OptionalColumn(DbDataReader reader, string name)
    {
        for (var i = 0; i < reader.FieldCount; i++)
        {
            if (string.Equals(reader.GetName(i), name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>
/// <c>Acl:Redis</c>: a hash per user at <c>KeyPrefix</c> + User Name whose fields are topic filters and values the
/// action allowed on each (<c>publish</c>, <c>subscribe</c>, <c>all</c>), as EMQX's Redis authorizer
/// (<c>HGETALL mqtt_acl:${username}</c>): every rule of it allows. A value may also be a JSON object, as EMQX 5.1 has
/// it: <c>{"action": "publish", "qos": [0, 1], "retain": false, "ipaddr": "10.0.0.0/8"}</c>.
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
            var where = $"redis {options.KeyPrefix}{userName} {entry.Name}";
            var value = (string?)entry.Value;
            rules.Add(value is not null && value.TrimStart().StartsWith('{')
                ? AclRules.FromJson("allow", entry.Name.ToString(), value, where)
                : AclRules.Of("allow", value, entry.Name, where));
        }

        return rules;
    }

    public ValueTask DisposeAsync() => _redis.DisposeAsync();
}

/// <summary>A store's text for a rule's conditions (<see cref="AclConditions"/>); null or empty: none.</summary>
public readonly record struct AclRuleConditions(string? Peer, string? QoS, string? Retain);

/// <summary>Rules made from a store's values.</summary>
public static class AclRules
{
    /// <summary>
    /// The rule <paramref name="permission"/> <paramref name="action"/> <paramref name="topic"/> for one client (any
    /// case), with <paramref name="conditions"/>; <paramref name="where"/> names it in an error. The rule is
    /// <see cref="AclRule.FromSource"/>.
    /// </summary>
    /// <exception cref="AclSourceException">A value that is not allow/deny, publish/subscribe/all, a topic filter or a condition.</exception>
    public static AclRule Of(string? permission, string? action, string? topic, string where, AclRuleConditions conditions = default)
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
        var filter = AclConditions.Topic(topic, out var exact, out var problem) ?? throw new AclSourceException($"{where}: {problem}");
        return new AclRule(allow, on, filter, null, null, allow ? (byte)0 : (byte)0x87, 0)
        {
            FromSource = true,
            Exact = exact,
            Peer = Condition(conditions.Peer, AclConditions.Peer, "ipaddr", where),
            QoS = Condition(conditions.QoS, AclConditions.QoS, "qos", where),
            Retain = Condition(conditions.Retain, AclConditions.Retain, "retain", where),
        };
    }

    /// <summary>
    /// A rule from a JSON object <c>{"permission"?, "action", "qos"?: [0,1] or "0,1", "retain"?: bool, "ipaddr"?}</c>
    /// for <paramref name="topic"/>; <paramref name="permission"/> when the object names none.
    /// </summary>
    /// <exception cref="AclSourceException">Not such an object.</exception>
    public static AclRule FromJson(string permission, string topic, string json, string where)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != System.Text.Json.JsonValueKind.Object)
            {
                throw new AclSourceException($"{where}: not a JSON object");
            }

            return Of(
                Member(root, "permission") ?? permission,
                Member(root, "action"),
                topic,
                where,
                new AclRuleConditions(Member(root, "ipaddr"), Member(root, "qos"), Member(root, "retain")));
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new AclSourceException($"{where}: {ex.Message}", ex);
        }
    }

    /// <summary>A member as text: a string as it is, an array's items joined by commas, true/false/numbers as written; null when absent or null.</summary>
    private static string? Member(System.Text.Json.JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            System.Text.Json.JsonValueKind.Null => null,
            System.Text.Json.JsonValueKind.String => value.GetString(),
            System.Text.Json.JsonValueKind.Array => string.Join(',', value.EnumerateArray().Select(e => e.ToString())),
            _ => value.GetRawText(),
        };
    }

    private static T? Condition<T>(string? text, AclConditionReader<T> read, string name, string where)
        where T : struct
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return read(text, out var problem) ?? throw new AclSourceException($"{where}: {name}: {problem}");
    }
}

/// <summary>One of <see cref="AclConditions"/>'s readers.</summary>
public delegate T? AclConditionReader<T>(string text, out string? problem)
    where T : struct;
