using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Tests.Infrastructure;

namespace RobustMq.Grains.Tests.Routing;

/// <summary>
/// A route marked for the ACL read check at SUBSCRIBE is checked on the publishing node, before the copy goes to
/// another node's dispatcher or a session queue (the cluster denies subscribing to <c>cluster-acl/secret/#</c>).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AclReadCheckRouteTests(ClusterFixture cluster)
{
    [Fact]
    public async Task A_refused_topic_is_neither_sent_to_the_subscribers_node_nor_queued_for_it()
    {
        var subscriber = cluster.NewClient("acl-route-remote");
        await subscriber.ConnectAsync(silo: 1);
        await subscriber.SubscribeAsync(new SubscriptionRecord("cluster-acl/+/x", 1, CheckRead: true));

        // Published on silo 0: the subscriber's route points at silo 1, so a copy would go to its dispatcher.
        var refused = await cluster.Router(0).PublishAsync(TestMessages.Message("cluster-acl/secret/x", "leak"));
        var allowed = await cluster.Router(0).PublishAsync(TestMessages.Message("cluster-acl/open/x", "kept"));

        Assert.Equal((0, 1), (refused, allowed));
        var result = await subscriber.ConnectAsync(silo: 1, cleanStart: false);
        Assert.Equal(["cluster-acl/open/x"], Array.ConvertAll(result.Pending, p => p.Message.Topic));
    }

    [Fact]
    public async Task A_route_without_the_check_delivers_what_it_matches()
    {
        var subscriber = cluster.NewClient("acl-route-unchecked");
        await subscriber.ConnectAsync(silo: 1);
        await subscriber.SubscribeAsync(new SubscriptionRecord("cluster-acl/open/y/#", 1));

        var matched = await cluster.Router(0).PublishAsync(TestMessages.Message("cluster-acl/open/y/1", "kept"));

        Assert.Equal(1, matched);
    }

    [Fact]
    public async Task A_session_resumed_under_another_user_name_has_every_route_checked_as_that_user()
    {
        var subscriber = cluster.NewClient("acl-route-reader");
        await subscriber.ConnectAsync(silo: 1);
        await subscriber.SubscribeAsync(new SubscriptionRecord("cluster-acl/+/reader", 1));
        await subscriber.DisconnectAsync();

        await subscriber.Session.Connect(new ConnectRequest(cluster.NewConnection(1), false, TestClient.PersistentExpiry, null, 5, "other", null));

        var route = Assert.Single(cluster.RoutesOf(0, "acl-route-reader"));
        Assert.Equal((true, "other"), (route.CheckRead, route.UserName));
    }
}
