using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Shared;
using RobustMq.Grains.Tests.Infrastructure;

namespace RobustMq.Grains.Tests.Shared;

/// <summary>
/// A shared group's members live in its grain's memory, while their routes are stored with the topic shards (in a
/// cluster): after the group's silo dies its grain starts empty. The session says which route it had, so leaving or
/// moving still takes that route out and no stale member stays in the route table.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SharedGroupRecoveryTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Leaving_a_group_that_no_longer_knows_the_member_still_removes_its_route()
    {
        var route = new RouteEntry("recover/leave", "recover-leaver", cluster.Node(0), 1, false, false, 0, ShareGroup: "rg");
        var shard = cluster.Client.GetGrain<ITopicShardGrain>(TopicShards.ShardOf(route.Filter));
        await shard.Apply([new RouteChange(true, route)]);

        var wasMember = await cluster.Client.GetGrain<ISharedGroupGrain>("rg/recover/leave").Leave(route.ClientId, route);

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
        await shard.Apply([new RouteChange(true, before)]);

        await cluster.Client.GetGrain<ISharedGroupGrain>("rg/recover/move").Join(after, previous: before);

        var routes = (await shard.GetRoutes()).Where(r => r.ClientId == before.ClientId).ToList();
        Assert.Equal(after, Assert.Single(routes));
        await cluster.Client.GetGrain<ISharedGroupGrain>("rg/recover/move").Leave(after.ClientId, after);
        Assert.DoesNotContain(await shard.GetRoutes(), r => r.ClientId == before.ClientId);
    }
}
