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
}
