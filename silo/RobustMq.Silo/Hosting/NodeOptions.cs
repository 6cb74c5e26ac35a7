namespace RobustMq.Silo.Hosting;

/// <summary>The <c>Node</c> section: this node's display name and roles.</summary>
public sealed class NodeOptions
{
    public const string Section = "Node";

    /// <summary>The role that terminates MQTT: listeners, connection loops, the node's route cache and dispatcher.</summary>
    public const string GatewayRole = "gateway";

    /// <summary>The role that hosts the durable grains: sessions, topic shards, retained stores, shared groups, the session directory.</summary>
    public const string GrainsRole = "grains";

    /// <summary>The name in <c>$SYS/brokers/{name}/...</c>; empty: the host name and <c>Cluster:SiloPort</c>.</summary>
    public string? Name { get; set; }

    /// <summary>
    /// What this silo does, comma-separated: <c>gateway</c> (MQTT listeners and connection loops, no durable grains),
    /// <c>grains</c> (durable grains, no MQTT listener) or both (the default). Only a cluster (<c>Cluster:Mode</c>
    /// AdoNet) may split them, and it needs at least one silo with each role.
    /// </summary>
    public string Roles { get; set; } = GatewayRole + "," + GrainsRole;

    /// <summary>The roles named in <see cref="Roles"/>; null when one is not known or none is given.</summary>
    public (bool Gateway, bool Grains)? ParseRoles()
    {
        bool gateway = false, grains = false;
        foreach (var role in (Roles ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (role.Equals(GatewayRole, StringComparison.OrdinalIgnoreCase))
            {
                gateway = true;
            }
            else if (role.Equals(GrainsRole, StringComparison.OrdinalIgnoreCase))
            {
                grains = true;
            }
            else
            {
                return null;
            }
        }

        return gateway || grains ? (gateway, grains) : null;
    }
}
