using RobustMq.Abstractions.Routing;
using RobustMq.Grains.Tests.Infrastructure;

namespace RobustMq.Grains.Tests.Routing;

/// <summary>
/// The node's writer of route changes gathers concurrent callers' changes into one call per shard; what each caller
/// wrote must still end up applied in its order, in the shards and in every node's route cache.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TopicShardWriterTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Concurrent_callers_changes_are_all_applied_each_in_its_order()
    {
        var writer = cluster.Service<TopicShardWriter>(0);
        var node = cluster.Node(0);
        const int Callers = 50;

        // Each caller adds a filter, removes it, adds it again, then removes it and adds another (as SUBSCRIBEs and
        // UNSUBSCRIBEs would); the calls of all callers overlap, so the writer groups them.
        var calls = Enumerable.Range(0, Callers).Select(i => Task.Run(async () =>
        {
            var gone = Route($"writer/{i}/gone", $"writer-{i}", node);
            var kept = Route($"writer/{i}/kept", $"writer-{i}", node);
            await writer.ApplyAsync([new RouteChange(true, gone), new RouteChange(false, gone), new RouteChange(true, gone)]);
            await writer.ApplyAsync([new RouteChange(false, gone), new RouteChange(true, kept)]);
        }));
        await Task.WhenAll(calls);

        var inShards = new List<string>();
        for (var shard = 0; shard < TopicShards.Count; shard++)
        {
            inShards.AddRange((await cluster.Client.GetGrain<ITopicShardGrain>(shard).GetRoutes())
                .Where(r => r.Filter.StartsWith("writer/", StringComparison.Ordinal))
                .Select(r => r.Filter));
        }

        var expected = Enumerable.Range(0, Callers).Select(i => $"writer/{i}/kept").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, inShards.Order(StringComparer.Ordinal));
        for (var silo = 0; silo < ClusterFixture.SiloCount; silo++)
        {
            var cached = cluster.Routes(silo).Snapshot().Where(r => r.Filter.StartsWith("writer/", StringComparison.Ordinal)).Select(r => r.Filter);
            Assert.Equal(expected, cached.Order(StringComparer.Ordinal));
        }

        // Leave the shared cluster as found.
        await writer.ApplyAsync(Enumerable.Range(0, Callers).Select(i => new RouteChange(false, Route($"writer/{i}/kept", $"writer-{i}", node))).ToArray());
    }

    [Fact]
    public async Task More_changes_for_one_shard_than_one_call_carries_are_all_applied()
    {
        var writer = cluster.Service<TopicShardWriter>(0);
        var node = cluster.Node(0);
        var shard = TopicShards.ShardOf("writer-chunk/0");
        var filters = Enumerable.Range(0, 1_000_000).Select(i => $"writer-chunk/{i}").Where(f => TopicShards.ShardOf(f) == shard)
            .Take(TopicShardWriter.MaxChangesPerCall + 7).ToArray();

        await writer.ApplyAsync(filters.Select(f => new RouteChange(true, Route(f, "writer-chunk", node))).ToArray());

        var stored = (await cluster.Client.GetGrain<ITopicShardGrain>(shard).GetRoutes()).Count(r => r.ClientId == "writer-chunk");
        await writer.ApplyAsync(filters.Select(f => new RouteChange(false, Route(f, "writer-chunk", node))).ToArray());
        Assert.Equal(filters.Length, stored);
    }

    [Fact]
    public async Task Nothing_to_write_completes_at_once()
    {
        var writer = cluster.Service<TopicShardWriter>(0);

        var done = writer.ApplyAsync([]);

        Assert.True(done.IsCompletedSuccessfully);
        await done;
    }

    private static RouteEntry Route(string filter, string clientId, string node) =>
        new(filter, clientId, node, QoS: 1, NoLocal: false, RetainAsPublished: false, SubscriptionId: 0);
}
