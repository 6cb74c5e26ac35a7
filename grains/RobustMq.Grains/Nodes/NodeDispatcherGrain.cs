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
    public Task ApplyRoutes(RouteBatch batch)
    {
        routes.Apply(batch);
        return Task.CompletedTask;
    }

    public async Task<NodeDelivery[]> Deliver(NodeDelivery[] batch)
    {
        List<NodeDelivery>? undelivered = null;
        List<string>? congested = null;
        List<Task>? stores = null;
        foreach (var item in batch)
        {
            switch (delivery.TryDeliver(item.ClientId, item.Message, out var stored))
            {
                case LocalDelivery.NotConnected:
                    (undelivered ??= []).Add(item);
                    break;
                case LocalDelivery.Congested:
                    (congested ??= []).Add(item.ClientId);
                    break;
            }

            if (!stored.IsCompletedSuccessfully)
            {
                (stores ??= []).Add(stored);
            }
        }

        if (stores is not null)
        {
            // The publisher is acknowledged only once every copy a persistent session needs is stored: a failed write
            // comes back as the MessageNotStoredException it is.
            await Task.WhenAll(stores);
        }

        if (congested is not null)
        {
            // Back-pressure across nodes: the publishing node awaits this call, so its publisher's reads
            // stay paused until the slow clients here have room (each wait is bounded by the connection).
            foreach (var clientId in congested)
            {
                await delivery.WaitForRoomAsync(clientId, CancellationToken.None);
            }
        }

        return undelivered is null ? [] : [.. undelivered];
    }

    public Task<bool> Close(ConnectionRef connection, byte reasonCode) => delivery.CloseAsync(connection, reasonCode);

    public Task<SessionInfo?> Describe(ConnectionRef connection) => Task.FromResult(delivery.Describe(connection));
}
