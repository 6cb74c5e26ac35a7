namespace RobustMq.Abstractions.Routing;

/// <summary>The node-local copy of the route table (a service on every silo). Fed by topic shards.</summary>
public interface IRouteReplica
{
    void Apply(RouteChange[] changes);
}
