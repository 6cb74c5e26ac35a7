namespace RobustMq.Silo.Hosting;

/// <summary>The <c>Cluster</c> section: how silos find each other.</summary>
public sealed class ClusterOptions
{
    public const string Section = "Cluster";
    public const int DefaultSiloPort = 11111;
    public const int DefaultGatewayPort = 30000;

    /// <summary><c>Localhost</c> (one silo, the embedded default) or <c>AdoNet</c> (PostgreSQL membership).</summary>
    public string Mode { get; set; } = "Localhost";
    public string? ConnectionString { get; set; }
    public int SiloPort { get; set; } = DefaultSiloPort;
    public int GatewayPort { get; set; } = DefaultGatewayPort;
    public string ClusterId { get; set; } = "robustmq";
    public string ServiceId { get; set; } = "robustmq";
}
