using Microsoft.Extensions.Logging;
using RobustMq.Abstractions.Metrics;
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
                // Deliveries for a clean session that just ended: nothing to keep, nothing to stay active for; what
                // came through a shared subscription goes to another member.
                DeactivateOnIdle();
                await HandOnOwed(messages);
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
                Queue(item.Message);
            }

            return;
        }

        foreach (var message in messages)
        {
            if (message.QoS == 0 && !options.Value.QueueQoS0Messages)
            {
                drops.Dropped(DropReasons.QoS0Offline, 1);
                continue;
            }

            Queue(message);
        }
    }

    private void Queue(PendingMessage message)
    {
        if (!_state.TryQueue(message, options.Value))
        {
            drops.Dropped(DropReasons.QueueFull, 1);
        }
    }

    /// <summary>
    /// The session ended (or never existed) owing these: shared subscriptions' messages go to another member of their
    /// group (MQTT 5 section 4.8.2), the rest are counted as dropped.
    /// </summary>
    private async Task HandOnOwed(PendingMessage[] owed)
    {
        if (owed.Length == 0)
        {
            return;
        }

        try
        {
            await router.HandOnOwedAsync(ClientId, owed);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogHandOnFailed(logger, ex, ClientId, owed.Length);
        }
    }

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Handing on {Count} messages owed to the ended session of {ClientId} failed")]
    private static partial void LogHandOnFailed(ILogger logger, Exception ex, string clientId, int count);

    private async Task RemoveAllRoutes()
    {
        if (_state.Node is { } node)
        {
            await Routes.RemoveAllAsync(node);
        }
    }

    private Task MoveRoutes(string oldNode, string newNode) => Routes.MoveAsync(oldNode, newNode);
}
