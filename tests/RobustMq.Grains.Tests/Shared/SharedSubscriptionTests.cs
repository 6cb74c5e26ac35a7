using RobustMq.Abstractions.Shared;
using RobustMq.Grains.Tests.Infrastructure;

namespace RobustMq.Grains.Tests.Shared;

[Collection(ClusterCollection.Name)]
public sealed class SharedSubscriptionTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Shared_subscription_adds_a_route_marked_with_its_group_to_every_silo_and_joins_the_group()
    {
        var client = cluster.NewClient("shared-join");
        await client.ConnectAsync(silo: 1);

        await client.SubscribeAsync("$share/g/a/b");

        for (var silo = 0; silo < ClusterFixture.SiloCount; silo++)
        {
            var route = Assert.Single(cluster.Matches(silo, "a/b", client.ClientId));
            Assert.Equal(("a/b", "g", cluster.Node(1)), (route.Filter, route.ShareGroup, route.Node));
        }

        var members = await cluster.Client.GetGrain<ISharedGroupGrain>("g/a/b").GetMembers();
        Assert.Contains(members, m => m.ClientId == client.ClientId);
    }

    [Fact]
    public async Task Unsubscribing_a_shared_subscription_removes_its_route_and_its_membership()
    {
        var client = cluster.NewClient("shared-leave");
        await client.ConnectAsync();
        await client.SubscribeAsync("$share/g/a/b");

        var existed = await client.UnsubscribeAsync("$share/g/a/b");

        Assert.Equal([true], existed);
        for (var silo = 0; silo < ClusterFixture.SiloCount; silo++)
        {
            Assert.Empty(cluster.RoutesOf(silo, client.ClientId));
        }

        var members = await cluster.Client.GetGrain<ISharedGroupGrain>("g/a/b").GetMembers();
        Assert.DoesNotContain(members, m => m.ClientId == client.ClientId);
    }
}
