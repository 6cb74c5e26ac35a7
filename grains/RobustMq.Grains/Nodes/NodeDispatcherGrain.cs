using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Placement;

namespace RobustMq.Grains.Nodes;

/// <summary>
/// A node's inbox, living on that node. Reentrant: it holds no state of its own and only hands work to
/// the node's thread-safe route cache and connection registry, so interleaving calls is safe.
/// </summary>
[NodePlacement, Reentrant]
public sealed class NodeDispatcherGrain(IRouteReplica routes, ILocalDelivery delivery) : Grain, INodeDispatcherGrain
{
    public Task ApplyRoutes(RouteChange[] changes)
    {
        routes.Apply(changes);
        return Task.CompletedTask;
    }

    public Task<NodeDelivery[]> Deliver(NodeDelivery[] batch)
    {
        List<NodeDelivery>? undelivered = null;
        foreach (var item in batch)
        {
            if (!delivery.TryDeliver(item.ClientId, item.Message))
            {
                (undelivered ??= []).Add(item);
            }
        }

        return Task.FromResult(undelivered is null ? [] : undelivered.ToArray());
    }

    public Task<bool> Close(ConnectionRef connection, byte reasonCode) =>
        Task.FromResult(delivery.Close(connection, reasonCode));
}
