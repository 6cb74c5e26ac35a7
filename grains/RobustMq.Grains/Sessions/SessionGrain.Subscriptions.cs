using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Sessions;
using RobustMq.Abstractions.Shared;
using RobustMq.Protocol.Topics;

namespace RobustMq.Grains.Sessions;

/// <summary>Subscriptions, their routes, and the offline queue.</summary>
public sealed partial class SessionGrain
{
    public async Task<bool[]> Subscribe(ConnectionRef connection, SubscriptionRecord[] subscriptions)
    {
        var existed = new bool[subscriptions.Length];
        var node = _state.Node ?? connection.Node;
        var changes = new List<RouteChange>();
        var joins = new List<Task>();
        for (var i = 0; i < subscriptions.Length; i++)
        {
            var sub = subscriptions[i];
            if (_state.Subscriptions.TryGetValue(sub.Filter, out var old))
            {
                existed[i] = true;
                if (!SharedSubscription.IsShared(old.Filter))
                {
                    changes.Add(new RouteChange(false, ToRoute(old, node)));
                }
            }

            _state.Subscriptions[sub.Filter] = sub;
            if (SharedSubscription.TryParse(sub.Filter, out var shared))
            {
                joins.Add(GrainFactory.GetGrain<ISharedGroupGrain>(GroupKey(shared)).Join(ToRoute(sub, node)));
            }
            else
            {
                changes.Add(new RouteChange(true, ToRoute(sub, node)));
            }
        }

        await ApplyRoutes(changes);
        await Task.WhenAll(joins);
        return existed;
    }

    public async Task<bool[]> Unsubscribe(ConnectionRef connection, string[] filters)
    {
        var existed = new bool[filters.Length];
        var node = _state.Node ?? connection.Node;
        var changes = new List<RouteChange>();
        var leaves = new List<Task>();
        for (var i = 0; i < filters.Length; i++)
        {
            if (!_state.Subscriptions.Remove(filters[i], out var old))
            {
                continue;
            }

            existed[i] = true;
            if (SharedSubscription.TryParse(old.Filter, out var shared))
            {
                leaves.Add(GrainFactory.GetGrain<ISharedGroupGrain>(GroupKey(shared)).Leave(ClientId));
            }
            else
            {
                changes.Add(new RouteChange(false, ToRoute(old, node)));
            }
        }

        await ApplyRoutes(changes);
        await Task.WhenAll(leaves);
        return existed;
    }

    public async Task Enqueue(PendingMessage[] messages)
    {
        if (messages.Length == 0 || !_state.Exists)
        {
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

    private RouteEntry ToRoute(SubscriptionRecord sub, string node) => RouteEntry.For(sub, ClientId, node);

    private static string GroupKey(SharedSubscription shared) => shared.Group + "/" + shared.Filter;

    private async Task ApplyRoutes(List<RouteChange> changes)
    {
        if (changes.Count == 0)
        {
            return;
        }

        var byShard = new Dictionary<string, List<RouteChange>>(StringComparer.Ordinal);
        foreach (var change in changes)
        {
            var shard = TopicShards.ShardOf(change.Entry.Filter);
            if (!byShard.TryGetValue(shard, out var list))
            {
                byShard[shard] = list = [];
            }

            list.Add(change);
        }

        var calls = new List<Task>(byShard.Count);
        foreach (var (shard, list) in byShard)
        {
            calls.Add(GrainFactory.GetGrain<ITopicShardGrain>(shard).Apply([.. list]));
        }

        await Task.WhenAll(calls);
    }

    private async Task RemoveAllRoutes()
    {
        if (_state.Subscriptions.Count == 0 || _state.Node is not { } node)
        {
            return;
        }

        var filters = new string[_state.Subscriptions.Count];
        _state.Subscriptions.Keys.CopyTo(filters, 0);
        await Unsubscribe(new ConnectionRef(node, 0), filters);
    }

    private async Task MoveRoutes(string oldNode, string newNode)
    {
        var changes = new List<RouteChange>();
        var joins = new List<Task>();
        foreach (var sub in _state.Subscriptions.Values)
        {
            if (SharedSubscription.TryParse(sub.Filter, out var shared))
            {
                joins.Add(GrainFactory.GetGrain<ISharedGroupGrain>(GroupKey(shared)).Join(ToRoute(sub, newNode)));
            }
            else
            {
                changes.Add(new RouteChange(false, ToRoute(sub, oldNode)));
                changes.Add(new RouteChange(true, ToRoute(sub, newNode)));
            }
        }

        await ApplyRoutes(changes);
        await Task.WhenAll(joins);
    }
}
