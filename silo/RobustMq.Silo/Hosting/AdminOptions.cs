namespace RobustMq.Silo.Hosting;

/// <summary>The <c>Admin</c> section: the HTTP port of the admin API and <c>/metrics</c>.</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";
    public const int DefaultPort = 8080;

    public bool Enabled { get; set; } = true;
    public string Address { get; set; } = "0.0.0.0";
    public int Port { get; set; } = DefaultPort;

    /// <summary>
    /// The bearer token the endpoints that manage users and bans ask for (<c>Authorization: Bearer {token}</c>); none
    /// by default, and then they answer only clients on the loopback address.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>The administrator made at the first start, when no admin account is stored (<c>/api/v1/login</c>).</summary>
    public string Username { get; set; } = "admin";

    /// <summary>
    /// The first administrator's password, used only when no admin account is stored; unset: <c>public</c>, as EMQX's,
    /// with a warning at every start until it is changed (<c>PUT /api/v1/admins/{name}</c>).
    /// </summary>
    public string? Password { get; set; }

    /// <summary>How long a login's token is valid, in minutes (1-10080).</summary>
    public int TokenTtlMinutes { get; set; } = 60;

    /// <summary>
    /// The HS256 key of login tokens (at least 32 bytes); unset: a random key kept in <c>Storage:Default</c> (keyed space
    /// <c>admin_keys</c>), so the cluster's nodes share it.
    /// </summary>
    public string? JwtSecret { get; set; }
}
