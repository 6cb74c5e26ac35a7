using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Shared;
using RobustMq.Grains.Tests.Infrastructure;

namespace RobustMq.Grains.Tests.Shared;

/// <summary>
/// A shared group's members are their routes in the topic shard (stored there in a cluster): a group grain that starts
/// anew, after its silo died or it was collected while idle, loads them from the shard. The session also says which
/// route it had, so leaving or moving takes that route out even when the group does not know it.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SharedGroupRecoveryTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Leaving_a_group_that_no_longer_knows_the_member_still_removes_its_route()
    {
        var route = new RouteEntry("recover/leave", "recover-leaver", cluster.Node(0), 1, false, false, 0, ShareGroup: "rg");
        var shard = cluster.Client.GetGrain<ITopicShardGrain>(TopicShards.ShardOf(route.Filter));
        // The group grain is active before the route reaches the shard, so it does not know the member.
        var group = cluster.Client.GetGrain<ISharedGroupGrain>("rg/recover/leave");
        Assert.Empty(await group.GetMembers());
        await shard.Apply([new RouteChange(true, route)]);

        var wasMember = await group.Leave(route.ClientId, route);

        Assert.False(wasMember);
        Assert.DoesNotContain(route, await shard.GetRoutes());
        Assert.Empty(cluster.RoutesOf(0, route.ClientId));
    }

    [Fact]
    public async Task Joining_again_from_another_node_replaces_the_route_the_group_no_longer_knows()
    {
        var before = new RouteEntry("recover/move", "recover-mover", cluster.Node(0), 1, false, false, 0, ShareGroup: "rg");
        var after = before with { Node = cluster.Node(1) };
        var shard = cluster.Client.GetGrain<ITopicShardGrain>(TopicShards.ShardOf(before.Filter));
        Assert.Empty(await cluster.Client.GetGrain<ISharedGroupGrain>("rg/recover/move").GetMembers());
        await shard.Apply([new RouteChange(true, before)]);

        await cluster.Client.GetGrain<ISharedGroupGrain>("rg/recover/move").Join(after, previous: before);

        var routes = (await shard.GetRoutes()).Where(r => r.ClientId == before.ClientId).ToList();
        Assert.Equal(after, Assert.Single(routes));
        await cluster.Client.GetGrain<ISharedGroupGrain>("rg/recover/move").Leave(after.ClientId, after);
        Assert.DoesNotContain(await shard.GetRoutes(), r => r.ClientId == before.ClientId);
    }

    [Fact]
    public async Task A_group_grain_that_starts_anew_knows_its_members_from_the_shard()
    {
        // Routes as an earlier activation of the group left them in the shard (its silo then died), beside a route of
        // another group on the same filter and a plain subscription.
        var first = new RouteEntry("recover/load", "recover-load-1", cluster.Node(0), 1, false, false, 0, ShareGroup: "lg");
        var second = new RouteEntry("recover/load", "recover-load-2", cluster.Node(1), 1, false, false, 0, ShareGroup: "lg");
        var otherGroup = first with { ClientId = "recover-load-3", ShareGroup = "other" };
        var plain = first with { ClientId = "recover-load-4", ShareGroup = null };
        var shard = cluster.Client.GetGrain<ITopicShardGrain>(TopicShards.ShardOf(first.Filter));
        await shard.Apply([new RouteChange(true, first), new RouteChange(true, second), new RouteChange(true, otherGroup), new RouteChange(true, plain)]);

        var group = cluster.Client.GetGrain<ISharedGroupGrain>("lg/recover/load");
        var members = await group.GetMembers();

        Assert.Equal(new[] { first, second }.OrderBy(r => r.ClientId), members.OrderBy(r => r.ClientId));
        // A member leaving without naming its route (as a session that lost it would) is still known, and its route goes.
        Assert.True(await group.Leave(second.ClientId));
        Assert.DoesNotContain(second, await shard.GetRoutes());
        Assert.Contains(otherGroup, await shard.GetRoutes());
        await group.Leave(first.ClientId);
        await shard.Apply([new RouteChange(false, otherGroup), new RouteChange(false, plain)]);
    }
}
