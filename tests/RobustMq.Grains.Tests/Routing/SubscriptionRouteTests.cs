using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Tests.Infrastructure;

namespace RobustMq.Grains.Tests.Routing;

[Collection(ClusterCollection.Name)]
public sealed class SubscriptionRouteTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Subscribe_puts_the_route_into_the_route_cache_of_every_silo_before_it_returns()
    {
        var client = cluster.NewClient("route-subscribe");
        await client.ConnectAsync(silo: 0);

        await client.SubscribeAsync("route/subscribe/+", qos: 1);

        for (var silo = 0; silo < ClusterFixture.SiloCount; silo++)
        {
            var route = Assert.Single(cluster.Matches(silo, "route/subscribe/x", client.ClientId));
            Assert.Equal(("route/subscribe/+", cluster.Node(0), (byte)1, (string?)null), (route.Filter, route.Node, route.QoS, route.ShareGroup));
        }
    }

    [Fact]
    public async Task Unsubscribe_removes_the_route_from_the_route_cache_of_every_silo()
    {
        var client = cluster.NewClient("route-unsubscribe");
        await client.ConnectAsync(silo: 1);
        await client.SubscribeAsync("route/unsubscribe/#");

        var existed = await client.UnsubscribeAsync("route/unsubscribe/#");

        Assert.Equal([true], existed);
        for (var silo = 0; silo < ClusterFixture.SiloCount; silo++)
        {
            Assert.Empty(cluster.RoutesOf(silo, client.ClientId));
        }
    }

    [Fact]
    public async Task Unsubscribe_of_an_unknown_filter_returns_false()
    {
        var client = cluster.NewClient("route-unsubscribe-unknown");
        await client.ConnectAsync();
        await client.SubscribeAsync("route/unknown/known");

        var existed = await client.UnsubscribeAsync("route/unknown/other", "route/unknown/known");

        Assert.Equal([false, true], existed);
    }

    [Fact]
    public async Task Two_overlapping_subscriptions_of_one_session_give_two_routes()
    {
        var client = cluster.NewClient("route-overlap");
        await client.ConnectAsync();

        await client.SubscribeAsync(new SubscriptionRecord("route/overlap/+/c", 0), new SubscriptionRecord("route/overlap/#", 2));

        for (var silo = 0; silo < ClusterFixture.SiloCount; silo++)
        {
            var filters = cluster.Matches(silo, "route/overlap/b/c", client.ClientId).ConvertAll(r => r.Filter);
            filters.Sort(StringComparer.Ordinal);
            Assert.Equal(["route/overlap/#", "route/overlap/+/c"], filters);
        }
    }

    [Fact]
    public async Task Subscribing_to_the_same_filter_again_replaces_its_route()
    {
        var client = cluster.NewClient("route-replace");
        await client.ConnectAsync();
        await client.SubscribeAsync("route/replace", qos: 0);

        var existed = await client.SubscribeAsync("route/replace", qos: 2);

        Assert.Equal([true], existed);
        for (var silo = 0; silo < ClusterFixture.SiloCount; silo++)
        {
            var route = Assert.Single(cluster.RoutesOf(silo, client.ClientId));
            Assert.Equal(2, route.QoS);
        }
    }
}
