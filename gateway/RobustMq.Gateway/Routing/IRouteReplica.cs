using RobustMq.Abstractions.Routing;

namespace RobustMq.Gateway.Routing;

/// <summary>The node-local copy of the route table (a service on every silo). Fed by topic shards.</summary>
public interface IRouteReplica
{
    /// <summary>
    /// Applies one shard's pushed changes in version order; false when they could not be (the node missed some, or
    /// knew another activation of the shard): they are held, and the shard is loaded again.
    /// </summary>
    bool Apply(RouteBatch batch);

    /// <summary>Makes one shard's routes those of <paramref name="snapshot"/> unless the replica is past it (<see cref="RouteCache.Load"/>).</summary>
    void Load(RouteSnapshot snapshot);
}
