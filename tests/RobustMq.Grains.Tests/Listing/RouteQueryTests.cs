using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RobustMq.Abstractions.Listing;
using RobustMq.Abstractions.Routing;

namespace RobustMq.Grains.Tests.Listing;

/// <summary>
/// A topic shard's answer to the admin API's route lists (<see cref="RouteQuery"/>): filtered, sorted, cut and counted
/// at the shard, and merged across the shards (<see cref="ShardRows"/>) into the page the whole table would give.
/// </summary>
public sealed class RouteQueryTests
{
    private static RouteEntry Route(string clientId, string filter, string node = "n1", byte qos = 0, string? group = null) =>
        new(filter, clientId, node, qos, false, false, 0, group);

    [Fact]
    public void A_shard_answers_the_routes_its_filters_select_sorted_by_the_sort_key_then_client_id_and_cut()
    {
        RouteEntry[] routes =
        [
            Route("dev-3", "a/b", qos: 1), Route("dev-1", "a/#", qos: 2), Route("other", "a/b", qos: 1),
            Route("DEV-2", "x/y", qos: 1), Route("dev-4", "a/+", qos: 0), Route("dev-5", "z", qos: 1),
        ];

        var page = new RouteQuery(RouteListing.Routes, 2, ClientId: "dev-", MatchTopic: "a/b", Sort: RouteSort.QoS, Descending: true).Answer(routes);

        // dev-1 (qos 2), dev-3 (qos 1), dev-4 (qos 0) match "a/b" and hold "dev-" in any case; DEV-2's x/y does not match.
        Assert.Equal(3, page.Matched);
        Assert.Equal(["dev-1", "dev-3"], page.Routes.Select(r => r.ClientId));
    }

    [Fact]
    public void A_shared_subscription_is_found_by_its_filter_as_subscribed_and_sorted_by_it()
    {
        RouteEntry[] routes = [Route("c1", "t"), Route("c2", "t", group: "g"), Route("c3", "u", group: "g")];

        var exact = new RouteQuery(RouteListing.Routes, 10, Topic: "$share/g/t").Answer(routes);
        var byTopic = new RouteQuery(RouteListing.Routes, 10, Sort: RouteSort.Topic).Answer(routes);

        Assert.Equal("c2", Assert.Single(exact.Routes).ClientId);
        Assert.Equal(["$share/g/t", "$share/g/u", "t"], byTopic.Routes.Select(RouteQuery.Subscribed));
    }

    [Fact]
    public void The_topics_listing_counts_each_filter_and_node_once()
    {
        RouteEntry[] routes = [Route("c1", "a/b", "n2"), Route("c2", "a/b", "n1"), Route("c3", "a/b", "n1"), Route("c4", "c/a", "n1"), Route("c5", "z", "n1")];

        var page = new RouteQuery(RouteListing.Topics, 2, FilterPart: "A").Answer(routes);

        Assert.Equal(3, page.Matched);
        Assert.Equal([("a/b", "n1"), ("a/b", "n2")], page.Routes.Select(r => (r.Filter, r.Node)));
    }

    [Fact]
    public void The_shared_groups_listing_cuts_whole_groups_with_their_members_by_client_id()
    {
        RouteEntry[] routes =
        [
            Route("m2", "t", group: "g1"), Route("m1", "t", group: "g1"), Route("m3", "u", group: "g1"),
            Route("m4", "t", group: "g0"), Route("plain", "t"),
        ];

        var page = new RouteQuery(RouteListing.SharedGroups, 2).Answer(routes);

        Assert.Equal(3, page.Matched);
        Assert.Equal([("g0", "t", "m4"), ("g1", "t", "m1"), ("g1", "t", "m2")], page.Routes.Select(r => (r.ShareGroup, r.Filter, r.ClientId)));
    }

    [Property(MaxTest = 300)]
    public Property Merging_every_shards_first_rows_gives_the_page_of_the_whole_table_sorted() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var (routes, query, page, limit) = c;
            var shards = routes.GroupBy(r => TopicShards.ShardOf(r.Filter) % 5).Select(g => query.Answer(g).Routes).ToList();
            var merged = ShardRows.Merge(shards, query.Order).Skip((page - 1) * limit).Take(limit).ToList();
            var whole = routes.Where(query.Selects).OrderBy(r => r, query.Order).Skip((page - 1) * limit).Take(limit).ToList();
            var counted = routes.GroupBy(r => TopicShards.ShardOf(r.Filter) % 5).Sum(g => query.Answer(g).Matched);

            return merged.Count == whole.Count
                && merged.Zip(whole).All(p => query.Order.Compare(p.First, p.Second) == 0)
                && counted == routes.Count(query.Selects);
        });

    private static Gen<RouteEntry> Routes =>
        from client in Gen.Elements("a", "b", "B", "c1", "c2", "dev-9")
        from filter in Gen.Elements("t", "t/x", "t/+", "#", "u/v", "u/#", "w")
        from node in Gen.Elements("n1", "n2", "n3")
        from qos in Gen.Elements<byte>(0, 1, 2)
        from shareGroup in Gen.Elements<string?>(null, null, "g", "h")
        select Route(client, filter, node, qos, shareGroup);

    private static Gen<(RouteEntry[] Routes, RouteQuery Query, int Page, int Limit)> Cases =>
        from routes in Gen.ArrayOf(Routes)
        from sort in Gen.Elements(RouteSort.ClientId, RouteSort.Topic, RouteSort.QoS, RouteSort.Node)
        from down in Gen.Elements(true, false)
        from clientId in Gen.Elements<string?>(null, "c", "B")
        from qos in Gen.Elements<int?>(null, 1)
        from page in Gen.Choose(1, 4)
        from limit in Gen.Choose(1, 5)
        select (routes.Distinct().ToArray(), new RouteQuery(RouteListing.Routes, page * limit, ClientId: clientId, QoS: qos, Sort: sort, Descending: down), page, limit);
}
