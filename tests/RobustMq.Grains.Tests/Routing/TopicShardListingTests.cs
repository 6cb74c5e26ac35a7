using RobustMq.Abstractions.Routing;
using RobustMq.Grains.Tests.Infrastructure;

namespace RobustMq.Grains.Tests.Routing;

/// <summary>
/// The route table lives in a fixed number of topic shards, so a node can list them all (0 .. TopicShards.Count - 1)
/// and find every route: the way a joining node loads the table.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TopicShardListingTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Listing_every_shard_finds_each_route_once_in_the_shard_of_its_filter()
    {
        var client = cluster.NewClient("shard-listing");
        await client.ConnectAsync(silo: 0);
        // No filter that could match another test's topics (the cluster is shared): no bare "#".
        string[] filters = ["listing/a", "listing/+/b", "listing/#", "+/listing-only", "/listing", "listing/a/#"];
        foreach (var filter in filters)
        {
            await client.SubscribeAsync(filter);
        }

        var found = new List<(int Shard, string Filter)>();
        for (var shard = 0; shard < TopicShards.Count; shard++)
        {
            foreach (var route in await cluster.Client.GetGrain<ITopicShardGrain>(shard).GetRoutes())
            {
                if (route.ClientId == client.ClientId)
                {
                    found.Add((shard, route.Filter));
                }
            }
        }

        Assert.Equal(filters.Order(StringComparer.Ordinal), found.Select(f => f.Filter).Order(StringComparer.Ordinal));
        Assert.All(found, f => Assert.Equal(TopicShards.ShardOf(f.Filter), f.Shard));
    }

    [Fact]
    public void Every_filter_maps_to_one_of_the_fixed_shards()
    {
        foreach (var filter in new[] { "a", "a/b", "#", "+", "/", "$SYS/#", "\U0001F600/x", new string('z', 5000) })
        {
            Assert.InRange(TopicShards.ShardOf(filter), 0, TopicShards.Count - 1);
        }
    }
}
