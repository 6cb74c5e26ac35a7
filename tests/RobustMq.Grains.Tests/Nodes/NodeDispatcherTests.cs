using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Routing;
using RobustMq.Grains.Tests.Infrastructure;

namespace RobustMq.Grains.Tests.Nodes;

[Collection(ClusterCollection.Name)]
public sealed class NodeDispatcherTests(ClusterFixture cluster)
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task A_node_dispatcher_lives_on_its_silo_and_changes_only_that_silos_route_cache(int silo)
    {
        var clientId = "dispatcher-routes-" + silo;
        var route = new RouteEntry("dispatcher/routes", clientId, cluster.Node(silo), 1, false, false, 0);
        var dispatcher = cluster.Client.GetGrain<INodeDispatcherGrain>(cluster.Node(silo));

        await dispatcher.ApplyRoutes([new RouteChange(true, route)]);

        Assert.Equal(route, Assert.Single(cluster.RoutesOf(silo, clientId)));
        Assert.Empty(cluster.RoutesOf(1 - silo, clientId));
        await dispatcher.ApplyRoutes([new RouteChange(false, route)]);
        Assert.Empty(cluster.RoutesOf(silo, clientId));
    }

    [Fact]
    public async Task A_node_dispatcher_hands_back_deliveries_for_clients_without_a_connection_on_its_node()
    {
        var dispatcher = cluster.Client.GetGrain<INodeDispatcherGrain>(cluster.Node(1));
        var batch = new[] { new NodeDelivery("dispatcher-nobody", TestMessages.Pending("dispatcher/deliver", "x")) };

        var undelivered = await dispatcher.Deliver(batch);

        Assert.Equal("dispatcher-nobody", Assert.Single(undelivered).ClientId);
    }

    [Fact]
    public async Task Closing_an_unknown_connection_through_a_node_dispatcher_returns_false()
    {
        var dispatcher = cluster.Client.GetGrain<INodeDispatcherGrain>(cluster.Node(0));

        Assert.False(await dispatcher.Close(cluster.NewConnection(0), 0x98));
    }
}
