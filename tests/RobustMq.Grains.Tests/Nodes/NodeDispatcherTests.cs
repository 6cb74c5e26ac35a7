using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Routing;
using RobustMq.Grains.Tests.Infrastructure;

namespace RobustMq.Grains.Tests.Nodes;

[Collection(ClusterCollection.Name)]
public sealed class NodeDispatcherTests(ClusterFixture cluster)
{
    [Fact]
    public async Task A_route_change_reaches_every_silos_route_cache_through_its_dispatcher()
    {
        const string clientId = "dispatcher-routes";
        var route = new RouteEntry("dispatcher/routes", clientId, cluster.Node(1), 1, false, false, 0);
        var shard = cluster.Client.GetGrain<ITopicShardGrain>(TopicShards.ShardOf(route.Filter));

        await shard.Apply([new RouteChange(true, route)]);
        Assert.Equal(route, Assert.Single(cluster.RoutesOf(0, clientId)));
        Assert.Equal(route, Assert.Single(cluster.RoutesOf(1, clientId)));

        await shard.Apply([new RouteChange(false, route)]);
        Assert.Empty(cluster.RoutesOf(0, clientId));
        Assert.Empty(cluster.RoutesOf(1, clientId));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task A_node_behind_on_a_shard_has_a_new_route_in_effect_when_the_change_returns(int silo)
    {
        var clientId = "dispatcher-behind-" + silo;
        var route = new RouteEntry("dispatcher/behind/" + silo, clientId, cluster.Node(silo), 1, false, false, 0);
        var number = TopicShards.ShardOf(route.Filter);
        var shard = cluster.Client.GetGrain<ITopicShardGrain>(number);
        await shard.Version();

        // The node knew another activation of the shard (as after a silo joined while the shard moved), and a load of
        // the shard is under way there (held by this test, so nothing but the push can bring the route): the push does
        // not follow on, the node holds it, and the shard sends the whole table in the same push.
        var cache = cluster.Routes(silo);
        Assert.True(cache.BeginSync(number));
        Assert.True(cache.CompleteSync(new RouteSnapshot(number, Guid.NewGuid(), 7, [])));
        Assert.True(cache.BeginSync(number));

        await shard.Apply([new RouteChange(true, route)]);

        Assert.Equal(route, Assert.Single(cluster.RoutesOf(silo, clientId)));
        var version = await shard.Version();

        // The load under way ends with an older table of that activation: it changes nothing.
        Assert.True(cache.CompleteSync(new RouteSnapshot(number, version.Epoch, version.Version - 1, [])));
        Assert.Equal(route, Assert.Single(cluster.RoutesOf(silo, clientId)));
        Assert.True(cache.IsCurrent(number, version), "the node's copy of the shard is current");
        await shard.Apply([new RouteChange(false, route)]);
        Assert.Empty(cluster.RoutesOf(silo, clientId));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task A_push_that_skips_versions_makes_only_that_node_load_the_shard_again_and_applies_nothing_unordered(int silo)
    {
        var clientId = "dispatcher-gap-" + silo;
        var kept = new RouteEntry("dispatcher/gap/" + silo, clientId, cluster.Node(silo), 1, false, false, 0);
        var number = TopicShards.ShardOf(kept.Filter);
        var shard = cluster.Client.GetGrain<ITopicShardGrain>(number);
        await shard.Apply([new RouteChange(true, kept)]);
        var version = await shard.Version();

        // A push from the shard's epoch that claims to be 5 changes ahead: this node missed some, so it must not apply it.
        var bogus = kept with { ClientId = clientId + "-bogus" };
        await cluster.Client.GetGrain<INodeDispatcherGrain>(cluster.Node(silo))
            .ApplyRoutes(new RouteBatch(number, version.Epoch, version.Version + 5, [new RouteChange(true, bogus)]));

        // RouteSync loads the shard's snapshot: the cache is current again, with the shard's routes and not the bogus one.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!cluster.Routes(silo).IsCurrent(number, version))
        {
            Assert.True(DateTime.UtcNow < deadline, $"silo {silo}'s route cache did not load shard {number} again within 30 s");
            await Task.Delay(50);
        }

        Assert.Equal(kept, Assert.Single(cluster.RoutesOf(silo, clientId)));
        Assert.Empty(cluster.RoutesOf(silo, bogus.ClientId));
        Assert.True(cluster.Routes(1 - silo).IsCurrent(number, version), "the other silo's cache was not disturbed");
        await shard.Apply([new RouteChange(false, kept)]);
        Assert.Empty(cluster.RoutesOf(silo, clientId));
        Assert.Empty(cluster.RoutesOf(1 - silo, clientId));
    }

    [Fact]
    public async Task A_node_dispatcher_hands_back_deliveries_for_clients_without_a_connection_on_its_node()
    {
        var dispatcher = cluster.Client.GetGrain<INodeDispatcherGrain>(cluster.Node(1));
        var batch = new[] { new NodeDelivery("dispatcher-nobody", TestMessages.Pending("dispatcher/deliver", "x")) };

        var results = await dispatcher.Deliver(batch);

        Assert.Equal(NodeDeliveryResult.NotConnected, Assert.Single(results));
    }

    [Fact]
    public async Task Closing_an_unknown_connection_through_a_node_dispatcher_returns_false()
    {
        var dispatcher = cluster.Client.GetGrain<INodeDispatcherGrain>(cluster.Node(0));

        Assert.False(await dispatcher.Close(cluster.NewConnection(0), 0x98));
    }
}
