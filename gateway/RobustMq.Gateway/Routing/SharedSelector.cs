using System.Collections.Concurrent;
using RobustMq.Gateway.Nodes;
using RobustMq.Abstractions;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Options;
using RobustMq.Abstractions.Routing;

namespace RobustMq.Gateway.Routing;

/// <summary>Picks the member of a shared subscription group that gets a message, by the configured strategy.</summary>
internal sealed class SharedSelector(SharedSubscriptionStrategy strategy)
{
    private readonly ConcurrentDictionary<(string, string), int> _cursors = new();

    public Target Pick(List<RouteEntry> members, BrokerMessage message, ILocalDelivery delivery, string localNode)
    {
        // Stable order, whatever order the trie returned them in.
        members.Sort(static (a, b) => string.CompareOrdinal(a.ClientId, b.ClientId));
        var start = strategy switch
        {
            SharedSubscriptionStrategy.Random => Random.Shared.Next(members.Count),
            SharedSubscriptionStrategy.HashClientId => (int)(TopicHash.Of(message.PublisherClientId ?? "") % (uint)members.Count),
            SharedSubscriptionStrategy.HashTopic => (int)(TopicHash.Of(message.Topic) % (uint)members.Count),
            _ => NextCursor(members[0]),
        };

        // Prefer a member that is online: a local member without a live connection is skipped.
        var chosen = members[start % members.Count];
        for (var i = 0; i < members.Count; i++)
        {
            var candidate = members[(start + i) % members.Count];
            if (candidate.Node != localNode || delivery.IsConnected(candidate.ClientId))
            {
                chosen = candidate;
                break;
            }
        }

        var target = new Target();
        target.Reset(chosen);
        return target;
    }

    private int NextCursor(RouteEntry any) =>
        _cursors.AddOrUpdate((any.ShareGroup!, any.Filter), 0, static (_, n) => n == int.MaxValue ? 0 : n + 1);
}
