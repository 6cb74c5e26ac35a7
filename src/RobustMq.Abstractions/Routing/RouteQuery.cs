using RobustMq.Abstractions.Listing;
using RobustMq.Protocol.Topics;

namespace RobustMq.Abstractions.Routing;

/// <summary>
/// A page's worth of the route table from one topic shard (<see cref="ITopicShardGrain.Query"/>), as the admin API lists
/// it: the rows (<see cref="Listing"/>) the filters select, in the listing's <see cref="Order"/>, the first
/// <see cref="Take"/> of them (<see cref="ShardRows"/>). A null filter selects anything.
/// </summary>
/// <param name="Listing">What a row is.</param>
/// <param name="Take">How many rows to answer at most (the page's last row number, page x limit).</param>
/// <param name="ClientId">A substring of the subscriber's client id (ordinal, any case).</param>
/// <param name="Topic">The filter exactly, as subscribed (<c>$share/g/t</c>) or without its <c>$share/g/</c>.</param>
/// <param name="FilterPart">A substring of the filter without its <c>$share/g/</c> (ordinal, any case).</param>
/// <param name="MatchTopic">A topic name the filter must match.</param>
/// <param name="QoS">The maximum QoS granted, exactly.</param>
/// <param name="ShareGroup">The shared subscription's group, exactly (only shared routes then).</param>
/// <param name="Node">The node of the subscriber's session, exactly.</param>
/// <param name="Sort">The sort key of a <see cref="RouteListing.Routes"/> listing; the others have a fixed order.</param>
/// <param name="Descending">Whether <see cref="Sort"/> runs down (ties still by client id, then topic, up).</param>
[GenerateSerializer, Immutable, Alias("robustmq.routequery.v1")]
public sealed record RouteQuery(
    [property: Id(0)] RouteListing Listing,
    [property: Id(1)] int Take,
    [property: Id(2)] string? ClientId = null,
    [property: Id(3)] string? Topic = null,
    [property: Id(4)] string? FilterPart = null,
    [property: Id(5)] string? MatchTopic = null,
    [property: Id(6)] int? QoS = null,
    [property: Id(7)] string? ShareGroup = null,
    [property: Id(8)] string? Node = null,
    [property: Id(9)] RouteSort Sort = RouteSort.ClientId,
    [property: Id(10)] bool Descending = false)
{
    /// <summary>
    /// The listing's order of routes. <see cref="RouteListing.Routes"/>: <see cref="Sort"/> (<see cref="Descending"/>), then
    /// client id, topic as subscribed and node, up. <see cref="RouteListing.Topics"/>: filter, node.
    /// <see cref="RouteListing.SharedGroups"/>: group, filter, member client id. Strings ordinal.
    /// </summary>
    public IComparer<RouteEntry> Order => Comparer<RouteEntry>.Create(Compare);

    /// <summary>The filter as its client subscribed it: <c>$share/{group}/{filter}</c> for a shared subscription's route.</summary>
    public static string Subscribed(RouteEntry route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return route.ShareGroup is { } group ? new SharedSubscription(group, route.Filter).ToString() : route.Filter;
    }

    /// <summary>Whether the filters select <paramref name="route"/> (a <see cref="RouteListing.SharedGroups"/> listing: shared routes only).</summary>
    public bool Selects(RouteEntry route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return ShardRows.Has(route.ClientId, ClientId)
            && ShardRows.Has(route.Filter, FilterPart)
            && (Topic is not { Length: > 0 } || Topic == route.Filter || Topic == Subscribed(route))
            && (MatchTopic is not { Length: > 0 } || TopicMatcher.Matches(route.Filter, MatchTopic))
            && (QoS is null || QoS == route.QoS)
            && (ShareGroup is not { Length: > 0 } || ShareGroup == route.ShareGroup)
            && (Listing != RouteListing.SharedGroups || route.ShareGroup is not null)
            && (Node is not { Length: > 0 } || Node == route.Node);
    }

    /// <summary>
    /// The shard's answer from its <paramref name="routes"/>: the rows selected, counted, and the first <see cref="Take"/>
    /// of them (their routes) in <see cref="Order"/>.
    /// </summary>
    public RoutePage Answer(IEnumerable<RouteEntry> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var selected = routes.Where(Selects);
        switch (Listing)
        {
            case RouteListing.Topics:
            {
                // One route stands for its (filter, node).
                var rows = new Dictionary<(string Filter, string Node), RouteEntry>();
                foreach (var route in selected)
                {
                    rows.TryAdd((route.Filter, route.Node), route);
                }

                var (matched, top) = ShardRows.Top(rows.Values, Order, Take);
                return new RoutePage(matched, top);
            }

            case RouteListing.SharedGroups:
            {
                var groups = selected.GroupBy(r => (Group: r.ShareGroup!, r.Filter)).Select(g => g.ToArray()).ToList();
                var (matched, top) = ShardRows.Top(groups, Comparer<RouteEntry[]>.Create((a, b) => Compare(a[0], b[0])), Take);
                var members = new List<RouteEntry>();
                foreach (var group in top)
                {
                    members.AddRange(group.OrderBy(r => r, Order));
                }

                return new RoutePage(matched, [.. members]);
            }

            default:
            {
                var (matched, top) = ShardRows.Top(selected, Order, Take);
                return new RoutePage(matched, top);
            }
        }
    }

    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> are routes of the same row of the listing.</summary>
    public bool SameRow(RouteEntry a, RouteEntry b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Listing switch
        {
            RouteListing.Topics => a.Filter == b.Filter && a.Node == b.Node,
            RouteListing.SharedGroups => a.ShareGroup == b.ShareGroup && a.Filter == b.Filter,
            _ => ReferenceEquals(a, b),
        };
    }

    private int Compare(RouteEntry? a, RouteEntry? b)
    {
        if (a is null || b is null)
        {
            return a is null ? (b is null ? 0 : -1) : 1;
        }

        int c;
        switch (Listing)
        {
            case RouteListing.Topics:
                c = string.CompareOrdinal(a.Filter, b.Filter);
                return c != 0 ? c : string.CompareOrdinal(a.Node, b.Node);
            case RouteListing.SharedGroups:
                c = string.CompareOrdinal(a.ShareGroup, b.ShareGroup);
                c = c != 0 ? c : string.CompareOrdinal(a.Filter, b.Filter);
                return c != 0 ? c : string.CompareOrdinal(a.ClientId, b.ClientId);
        }

        c = Sort switch
        {
            RouteSort.Topic => string.CompareOrdinal(Subscribed(a), Subscribed(b)),
            RouteSort.QoS => a.QoS.CompareTo(b.QoS),
            RouteSort.Node => string.CompareOrdinal(a.Node, b.Node),
            _ => string.CompareOrdinal(a.ClientId, b.ClientId),
        };
        if (c != 0)
        {
            return Descending ? -c : c;
        }

        c = string.CompareOrdinal(a.ClientId, b.ClientId);
        c = c != 0 ? c : string.CompareOrdinal(Subscribed(a), Subscribed(b));
        return c != 0 ? c : string.CompareOrdinal(a.Node, b.Node);
    }
}
