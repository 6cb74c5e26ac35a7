namespace RobustMq.Grains.Routing;

/// <summary>How the topic shards keep the route table.</summary>
public sealed class RouteTableOptions
{
    /// <summary>
    /// Each route change is stored (space <see cref="StoredRoutes.Space"/> of the state engine) before it is pushed and
    /// acknowledged, and a shard's grain loads its routes when it activates: a shard whose silo died comes back on
    /// another with every route. On in a cluster (<c>Cluster:Mode=AdoNet</c>), set by the host. Off on one node, where a
    /// restart subscribes the stored sessions again instead (<see cref="Sessions.StoredSessionRoutes"/>) and clean
    /// sessions end with the process.
    /// </summary>
    public bool Durable { get; set; }
}
