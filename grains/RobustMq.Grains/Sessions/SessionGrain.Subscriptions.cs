using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Sessions;

namespace RobustMq.Grains.Sessions;

/// <summary>Subscriptions, their routes, and the offline queue.</summary>
public sealed partial class SessionGrain
{
    private SessionRoutes? _routes;

    private SessionRoutes Routes => _routes ??= new SessionRoutes(GrainFactory, ClientId, _state.Subscriptions);

    public Task<bool[]> Subscribe(ConnectionRef connection, SubscriptionRecord[] subscriptions) =>
        Routes.SubscribeAsync(_state.Node ?? connection.Node, subscriptions);

    public Task<bool[]> Unsubscribe(ConnectionRef connection, string[] filters) =>
        Routes.UnsubscribeAsync(_state.Node ?? connection.Node, filters);

    public async Task Enqueue(PendingMessage[] messages)
    {
        if (messages.Length == 0 || !_state.Exists)
        {
            if (!_state.Exists)
            {
                // Deliveries for a clean session that just ended: nothing to keep, nothing to stay active for.
                DeactivateOnIdle();
            }

            return;
        }

        if (_state.Connection is { } connection)
        {
            var batch = new NodeDelivery[messages.Length];
            for (var i = 0; i < messages.Length; i++)
            {
                batch[i] = new NodeDelivery(ClientId, messages[i]);
            }

            var undelivered = await GrainFactory.GetGrain<INodeDispatcherGrain>(connection.Node).Deliver(batch);
            foreach (var item in undelivered)
            {
                _state.TryQueue(item.Message, options.Value, countDrop: true);
            }

            return;
        }

        foreach (var message in messages)
        {
            if (message.QoS == 0 && !options.Value.QueueQoS0Messages)
            {
                continue;
            }

            _state.TryQueue(message, options.Value, countDrop: true);
        }
    }

    private async Task RemoveAllRoutes()
    {
        if (_state.Node is { } node)
        {
            await Routes.RemoveAllAsync(node);
        }
    }

    private Task MoveRoutes(string oldNode, string newNode) => Routes.MoveAsync(oldNode, newNode);
}
