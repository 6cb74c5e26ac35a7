namespace RobustMq.Gateway.Hosting;

/// <summary>The <c>Acl</c> section: the rules file (none: everything is allowed).</summary>
public sealed class AclOptions
{
    public const string Section = "Acl";

    public string? File { get; set; }

    /// <summary>How often the file is looked at for a change, in seconds (0: never; 1-86400).</summary>
    public int ReloadSeconds { get; set; } = 10;

    /// <summary>What a refused PUBLISH does beyond being dropped: <c>ignore</c> (default: PUBACK/PUBREC 0x87 on MQTT 5) or <c>disconnect</c> (the connection ends, DISCONNECT 0x87).</summary>
    public string DenyAction { get; set; } = "ignore";

    /// <summary>The decision when no rule covers a request, unless the file has a <c>default</c> line: <c>allow</c> (default) or <c>deny</c>.</summary>
    public string NoMatch { get; set; } = "allow";

    /// <summary>
    /// The per-client rule stores asked at each CONNECT, in order: <c>builtin</c> (the store managed through
    /// <c>/api/acl</c>, held in memory), <c>postgres</c>, <c>mysql</c>, <c>redis</c>, <c>http</c>; their rules come
    /// before the file's.
    /// </summary>
    public string[] Sources { get; set; } = [];

    public RobustMq.Gateway.Security.SqlAclOptions Postgres { get; set; } = new();

    public RobustMq.Gateway.Security.SqlAclOptions MySql { get; set; } = new();

    public RobustMq.Gateway.Security.RedisAclOptions Redis { get; set; } = new();

    public RobustMq.Gateway.Security.HttpAclOptions Http { get; set; } = new();

    /// <summary>The names <see cref="Sources"/> may hold.</summary>
    public static readonly IReadOnlyList<string> KnownSources = ["builtin", "postgres", "mysql", "redis", "http"];
}
