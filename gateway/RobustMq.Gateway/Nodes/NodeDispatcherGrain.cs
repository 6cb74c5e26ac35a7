using Orleans.Concurrency;
using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Routing;
using RobustMq.Gateway.Routing;
using RobustMq.Abstractions.Sessions;

namespace RobustMq.Gateway.Nodes;

/// <summary>
/// A node's inbox, living on that node. Reentrant: it holds no state of its own and only hands work to
/// the node's thread-safe route cache and connection registry, so interleaving calls is safe.
/// </summary>
[NodePlacement, Reentrant]
public sealed class NodeDispatcherGrain(IRouteReplica routes, ILocalDelivery delivery) : Grain, INodeDispatcherGrain
{
    public Task<bool> ApplyRoutes(RouteBatch batch) => Task.FromResult(routes.Apply(batch));

    public Task LoadRoutes(RouteSnapshot snapshot)
    {
        routes.Load(snapshot);
        return Task.CompletedTask;
    }

    public async Task<NodeDeliveryResult[]> Deliver(NodeDelivery[] batch)
    {
        NodeDeliveryResult[]? results = null;
        List<(int Index, Task Stored)>? stores = null;
        for (var i = 0; i < batch.Length; i++)
        {
            var item = batch[i];
            switch (delivery.TryDeliver(item.ClientId, item.Message, out var stored))
            {
                case LocalDelivery.NotConnected:
                    (results ??= new NodeDeliveryResult[batch.Length])[i] = NodeDeliveryResult.NotConnected;
                    break;
                case LocalDelivery.Congested:
                    (results ??= new NodeDeliveryResult[batch.Length])[i] = NodeDeliveryResult.Congested;
                    break;
            }

            if (!stored.IsCompletedSuccessfully)
            {
                (stores ??= []).Add((i, stored));
            }
        }

        if (stores is not null)
        {
            // Each publisher is acknowledged only once every copy a persistent session needs is stored: a failed write
            // is reported for its item alone (the batch holds other publishers' messages).
            foreach (var (index, stored) in stores)
            {
                try
                {
                    await stored;
                }
                catch (Exception ex)
                {
                    (results ??= new NodeDeliveryResult[batch.Length])[index] = NodeDeliveryResults.NotStored(ex);
                }
            }
        }

        return results ?? NodeDeliveryResults.AllDelivered;
    }

    public async Task WaitForRoom(string[] clientIds)
    {
        foreach (var clientId in clientIds)
        {
            await delivery.WaitForRoomAsync(clientId, CancellationToken.None);
        }
    }

    public Task<bool> Close(ConnectionRef connection, byte reasonCode) => delivery.CloseAsync(connection, reasonCode);

    public Task<TakeoverResult> TakeOver(ConnectionRef connection) => delivery.TakeOverAsync(connection);

    public Task<SessionInfo?> Describe(ConnectionRef connection) => Task.FromResult(delivery.Describe(connection));

    public Task<DirectoryHolder[]> Holders(int directoryShard) => Task.FromResult(delivery.Holders(directoryShard));
}
