using RobustMq.Abstractions.Routing;

namespace RobustMq.Gateway.Routing;

/// <summary>The node-local copy of the route table (a service on every silo). Fed by topic shards.</summary>
public interface IRouteReplica
{
    /// <summary>Applies one shard's pushed changes in version order; a node that missed some loads the shard again.</summary>
    void Apply(RouteBatch batch);
}
