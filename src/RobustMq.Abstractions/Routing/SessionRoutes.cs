using RobustMq.Abstractions.Sessions;
using RobustMq.Abstractions.Shared;
using RobustMq.Protocol.Topics;

namespace RobustMq.Abstractions.Routing;

/// <summary>
/// A session's subscriptions and the routes they stand for, in one place for both homes of a session: the
/// <see cref="ISessionGrain"/> of a persistent session and the connection of a clean one (expiry 0), which
/// needs no grain. Applies changes to the topic shards (through the node's <see cref="TopicShardWriter"/>) and the <c>$share</c> groups.
/// Not thread-safe: its owner serializes calls (the grain's turn, the connection's read loop).
/// </summary>
/// <param name="persistent">The session outlives its connection: its routes say so (<see cref="RouteEntry.Persistent"/>).</param>
public sealed class SessionRoutes(
    IGrainFactory grains, TopicShardWriter shards, string clientId, Dictionary<string, SubscriptionRecord> subscriptions, bool persistent)
{
    /// <summary>A clean session's routes, with no subscription yet.</summary>
    public SessionRoutes(IGrainFactory grains, TopicShardWriter shards, string clientId)
        : this(grains, shards, clientId, new Dictionary<string, SubscriptionRecord>(StringComparer.Ordinal), persistent: false)
    {
    }

    /// <summary>Filter (as subscribed, <c>$share/...</c> included) to subscription.</summary>
    public Dictionary<string, SubscriptionRecord> Subscriptions { get; } = subscriptions;

    /// <summary>Add or replace subscriptions for a session attached to <paramref name="node"/>; returns, per subscription, whether it existed.</summary>
    public async Task<bool[]> SubscribeAsync(string node, SubscriptionRecord[] subscriptions)
    {
        var existed = new bool[subscriptions.Length];
        var changes = new List<RouteChange>();
        var joins = new List<Task>();
        for (var i = 0; i < subscriptions.Length; i++)
        {
            var sub = subscriptions[i];
            RouteEntry? previous = null;
            if (Subscriptions.TryGetValue(sub.Filter, out var old))
            {
                existed[i] = true;
                if (!SharedSubscription.IsShared(old.Filter))
                {
                    changes.Add(new RouteChange(false, Route(old, node)));
                }
                else
                {
                    previous = Route(old, node);
                }
            }

            Subscriptions[sub.Filter] = sub;
            if (SharedSubscription.TryParse(sub.Filter, out var shared))
            {
                joins.Add(SharedGroups.Of(grains, shared.Group, shared.Filter).Join(Route(sub, node), previous));
            }
            else
            {
                changes.Add(new RouteChange(true, Route(sub, node)));
            }
        }

        await ApplyAsync(changes);
        await Task.WhenAll(joins);
        return existed;
    }

    /// <summary>
    /// The session is resumed under another user name. Whether a subscription needs the ACL read check per message
    /// (<see cref="SubscriptionRecord.CheckRead"/>) was decided for the user who subscribed, so from now on each is
    /// checked as <paramref name="userName"/>: the new reader gets nothing the rules refuse it.
    /// </summary>
    public async Task CheckReadsAsAsync(string node, string? userName)
    {
        var changed = new List<SubscriptionRecord>();
        foreach (var sub in Subscriptions.Values)
        {
            if (!sub.CheckRead || sub.UserName != userName)
            {
                changed.Add(sub with { CheckRead = true, UserName = userName });
            }
        }

        if (changed.Count > 0)
        {
            await SubscribeAsync(node, [.. changed]);
        }
    }

    /// <summary>Remove subscriptions; returns, per filter, whether it existed.</summary>
    public async Task<bool[]> UnsubscribeAsync(string node, string[] filters)
    {
        var existed = new bool[filters.Length];
        var changes = new List<RouteChange>();
        var leaves = new List<Task>();
        for (var i = 0; i < filters.Length; i++)
        {
            if (!Subscriptions.Remove(filters[i], out var old))
            {
                continue;
            }

            existed[i] = true;
            if (SharedSubscription.TryParse(old.Filter, out var shared))
            {
                leaves.Add(SharedGroups.Of(grains, shared.Group, shared.Filter).Leave(clientId, Route(old, node)));
            }
            else
            {
                changes.Add(new RouteChange(false, Route(old, node)));
            }
        }

        await ApplyAsync(changes);
        await Task.WhenAll(leaves);
        return existed;
    }

    /// <summary>Remove every subscription and its route.</summary>
    public async Task RemoveAllAsync(string node)
    {
        if (Subscriptions.Count == 0)
        {
            return;
        }

        var filters = new string[Subscriptions.Count];
        Subscriptions.Keys.CopyTo(filters, 0);
        await UnsubscribeAsync(node, filters);
    }

    /// <summary>The session now lives on another node: its routes point there.</summary>
    public async Task MoveAsync(string oldNode, string newNode)
    {
        var changes = new List<RouteChange>();
        var joins = new List<Task>();
        foreach (var sub in Subscriptions.Values)
        {
            if (SharedSubscription.TryParse(sub.Filter, out var shared))
            {
                joins.Add(SharedGroups.Of(grains, shared.Group, shared.Filter).Join(Route(sub, newNode), Route(sub, oldNode)));
            }
            else
            {
                changes.Add(new RouteChange(false, Route(sub, oldNode)));
                changes.Add(new RouteChange(true, Route(sub, newNode)));
            }
        }

        await ApplyAsync(changes);
        await Task.WhenAll(joins);
    }

    /// <summary>The route this session's <paramref name="sub"/> stands for on <paramref name="node"/>, exactly as the shards hold it.</summary>
    public RouteEntry Route(SubscriptionRecord sub, string node) => RouteEntry.For(sub, clientId, node, persistent);

    private Task ApplyAsync(List<RouteChange> changes) => shards.ApplyAsync(changes);
}
