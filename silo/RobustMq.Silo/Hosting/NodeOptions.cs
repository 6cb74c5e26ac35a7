namespace RobustMq.Silo.Hosting;

/// <summary>The <c>Node</c> section: this node's display name.</summary>
public sealed class NodeOptions
{
    public const string Section = "Node";

    /// <summary>The name in <c>$SYS/brokers/{name}/...</c>; empty: the host name and <c>Cluster:SiloPort</c>.</summary>
    public string? Name { get; set; }
}
