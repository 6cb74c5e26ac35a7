using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Tests.Infrastructure;

namespace RobustMq.Grains.Tests.Sessions;

[Collection(ClusterCollection.Name)]
public sealed class SessionLifecycleTests(ClusterFixture cluster)
{
    [Fact]
    public async Task A_new_session_is_not_present()
    {
        var client = cluster.NewClient("life-new");

        var result = await client.ConnectAsync(cleanStart: false);

        Assert.False(result.SessionPresent);
        Assert.Empty(result.Pending);
    }

    [Fact]
    public async Task Reconnect_without_clean_start_resumes_the_session_with_its_subscriptions()
    {
        var client = cluster.NewClient("life-resume");
        await client.ConnectAsync();
        await client.SubscribeAsync("life/resume");
        await client.DisconnectAsync(DisconnectKind.Abnormal);

        var result = await client.ConnectAsync(cleanStart: false);

        Assert.True(result.SessionPresent);
        var info = await client.Session.GetInfo();
        Assert.True(info.Connected);
        Assert.Equal("life/resume", Assert.Single(info.Subscriptions).Filter);
        for (var silo = 0; silo < ClusterFixture.SiloCount; silo++)
        {
            Assert.Single(cluster.Matches(silo, "life/resume", client.ClientId));
        }
    }

    [Fact]
    public async Task Reconnect_with_clean_start_discards_the_session_and_its_routes()
    {
        var client = cluster.NewClient("life-clean");
        await client.ConnectAsync();
        await client.SubscribeAsync("life/clean/+");
        await client.DisconnectAsync(DisconnectKind.Abnormal);

        var result = await client.ConnectAsync(cleanStart: true);

        Assert.False(result.SessionPresent);
        Assert.Empty((await client.Session.GetInfo()).Subscriptions);
        for (var silo = 0; silo < ClusterFixture.SiloCount; silo++)
        {
            Assert.Empty(cluster.RoutesOf(silo, client.ClientId));
        }
    }

    [Fact]
    public async Task Disconnect_with_session_expiry_0_ends_the_session_and_removes_its_routes()
    {
        var client = cluster.NewClient("life-expiry0");
        await client.ConnectAsync(expiry: 0);
        await client.SubscribeAsync("life/expiry0");

        await client.DisconnectAsync(DisconnectKind.Normal);

        Assert.False((await client.Session.GetInfo()).Exists);
        for (var silo = 0; silo < ClusterFixture.SiloCount; silo++)
        {
            Assert.Empty(cluster.RoutesOf(silo, client.ClientId));
        }
    }

    [Fact]
    public async Task Session_expiry_given_on_disconnect_overrides_the_one_from_connect()
    {
        var client = cluster.NewClient("life-expiry-override");
        await client.ConnectAsync(expiry: TestClient.PersistentExpiry);
        await client.SubscribeAsync("life/expiry/override");

        await client.DisconnectAsync(DisconnectKind.Normal, expiry: 0);

        Assert.False((await client.Session.GetInfo()).Exists);
        Assert.Empty(cluster.RoutesOf(0, client.ClientId));
    }

    [Fact]
    public async Task Takeover_by_a_second_connection_returns_normally_and_attaches_the_session_to_its_node()
    {
        var client = cluster.NewClient("life-takeover");
        await client.ConnectAsync(silo: 0);

        var result = await client.ConnectAsync(silo: 1, cleanStart: false);

        Assert.True(result.SessionPresent);
        var info = await client.Session.GetInfo();
        Assert.Equal((true, cluster.Node(1)), (info.Connected, info.Node));
    }

    [Fact]
    public async Task Takeover_on_another_node_moves_the_routes_to_that_node()
    {
        var client = cluster.NewClient("life-takeover-routes");
        await client.ConnectAsync(silo: 0);
        await client.SubscribeAsync("life/takeover/routes");

        await client.ConnectAsync(silo: 1, cleanStart: false);

        for (var silo = 0; silo < ClusterFixture.SiloCount; silo++)
        {
            var route = Assert.Single(cluster.RoutesOf(silo, client.ClientId));
            Assert.Equal(cluster.Node(1), route.Node);
        }
    }

    [Fact]
    public async Task Unsubscribe_after_a_takeover_on_another_node_leaves_no_route_behind()
    {
        var client = cluster.NewClient("life-takeover-unsubscribe");
        await client.ConnectAsync(silo: 0);
        await client.SubscribeAsync("life/takeover/unsubscribe");
        await client.ConnectAsync(silo: 1, cleanStart: false);

        await client.UnsubscribeAsync("life/takeover/unsubscribe");

        for (var silo = 0; silo < ClusterFixture.SiloCount; silo++)
        {
            Assert.Empty(cluster.RoutesOf(silo, client.ClientId));
        }
    }

    [Fact]
    public async Task A_late_disconnect_of_the_taken_over_connection_leaves_the_new_one_attached()
    {
        var client = cluster.NewClient("life-stale-disconnect");
        await client.ConnectAsync(silo: 0);
        var old = client.Connection;
        await client.ConnectAsync(silo: 1, cleanStart: false);

        await client.Session.Disconnect(new DisconnectRequest(old, DisconnectKind.TakenOver, [], [], []));

        var info = await client.Session.GetInfo();
        Assert.Equal((true, cluster.Node(1)), (info.Connected, info.Node));
    }
}
