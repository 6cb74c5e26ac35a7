namespace RobustMq.Gateway.Security.Authentication;

/// <summary>
/// Configuration section <c>Auth</c>: the authentication chain.
/// <code>
/// "Auth": { "AllowAnonymous": false, "Sources": [ "builtin", "jwt", "http" ], "FallThroughWhenDown": false,
///           "BuiltIn": { "Iterations": 10000 }, "Jwt": { "Secret": "..." }, "Http": { "Url": "https://auth.example/mqtt" } }
/// </code>
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>The source names <c>Auth:Sources</c> may hold.</summary>
    public static readonly IReadOnlyList<string> KnownSources = ["builtin", "postgres", "mysql", "redis", "jwt", "http", "cert"];

    /// <summary>
    /// Whether a client without a User Name that no source decides on is let in. Unset: true in the embedded single-node
    /// quick-start (<c>Cluster:Mode</c> Localhost), false in a cluster (<c>AdoNet</c>); the host fills it in.
    /// </summary>
    public bool? AllowAnonymous { get; set; }

    /// <summary>The authentication sources, asked in this order (<see cref="KnownSources"/>); none by default.</summary>
    public string[] Sources { get; set; } = [];

    /// <summary>The MQTT 5 Authentication Methods <c>Auth:EnhancedMethods</c> may hold (enhanced authentication, 4.12).</summary>
    public static readonly IReadOnlyList<string> KnownEnhancedMethods = [ScramSha256.Mechanism];

    /// <summary>
    /// The MQTT 5 enhanced authentication methods offered (<see cref="KnownEnhancedMethods"/>); none by default, and a
    /// CONNECT with an Authentication Method is then refused with 0x8C Bad authentication method. <c>SCRAM-SHA-256</c>
    /// checks the users of the built-in store (<see cref="IUserStore"/>), whatever <see cref="Sources"/> holds: a client
    /// that proved its password that way skips the chain.
    /// </summary>
    public string[] EnhancedMethods { get; set; } = [];

    /// <summary>Whether a source that is down is passed over instead of refusing the client with 0x88.</summary>
    public bool FallThroughWhenDown { get; set; }

    public BuiltInAuthOptions BuiltIn { get; set; } = new();

    public JwtAuthOptions Jwt { get; set; } = new();

    public HttpAuthOptions Http { get; set; } = new();

    /// <summary><c>Auth:Postgres</c>: the <c>postgres</c> source's server and query.</summary>
    public SqlAuthOptions Postgres { get; set; } = new();

    /// <summary><c>Auth:MySql</c>: the <c>mysql</c> source's server (MySQL or MariaDB) and query.</summary>
    public SqlAuthOptions MySql { get; set; } = new();

    /// <summary><c>Auth:Redis</c>: the <c>redis</c> source's server and keys.</summary>
    public RedisAuthOptions Redis { get; set; } = new();
}

/// <summary>Configuration section <c>Auth:BuiltIn</c>: the built-in user store.</summary>
public sealed class BuiltInAuthOptions
{
    /// <summary>PBKDF2-SHA-256 iterations for passwords set from now on (<see cref="PasswordHash.MinIterations"/>-<see cref="PasswordHash.MaxIterations"/>).</summary>
    public int Iterations { get; set; } = 10_000;
}
