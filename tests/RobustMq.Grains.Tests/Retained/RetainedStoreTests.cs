using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Retained;
using RobustMq.Gateway.Routing;
using RobustMq.Grains.Tests.Infrastructure;

namespace RobustMq.Grains.Tests.Retained;

/// <summary>
/// The store's own matching. Each test uses a shard key of its own, outside <see cref="RetainedShards"/>'
/// range, so wildcard lookups see only what the test stored and nothing the other tests retained.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RetainedStoreTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Set_then_match_by_exact_topic_returns_the_message()
    {
        var store = Store(1000);
        await store.Set(TestMessages.Message("a/b", "ab", retain: true));
        await store.Set(TestMessages.Message("a/c", "ac", retain: true));

        var found = await store.Match("a/b");

        Assert.Equal(["ab"], Array.ConvertAll(found, TestMessages.Text));
    }

    [Fact]
    public async Task Single_level_wildcard_matches_one_level()
    {
        var store = Store(1001);
        foreach (var topic in new[] { "a/b", "c/b", "a/c", "a/b/c" })
        {
            await store.Set(TestMessages.Message(topic, topic, retain: true));
        }

        var found = await store.Match("+/b");

        Assert.Equal(["a/b", "c/b"], Topics(found));
    }

    [Fact]
    public async Task Multi_level_wildcard_matches_every_topic_but_those_starting_with_a_dollar()
    {
        var store = Store(1002);
        foreach (var topic in new[] { "a", "a/b", "a/b/c", "$SYS/brokers/x/uptime" })
        {
            await store.Set(TestMessages.Message(topic, topic, retain: true));
        }

        var found = await store.Match("#");

        Assert.Equal(["a", "a/b", "a/b/c"], Topics(found));
    }

    [Fact]
    public async Task A_filter_naming_a_dollar_topic_matches_it()
    {
        var store = Store(1003);
        await store.Set(TestMessages.Message("$SYS/brokers/x/uptime", "5", retain: true));

        var found = await store.Match("$SYS/#");

        Assert.Equal(["$SYS/brokers/x/uptime"], Topics(found));
    }

    [Fact]
    public async Task Setting_a_newer_message_replaces_the_retained_one()
    {
        var store = Store(1004);
        await store.Set(TestMessages.Message("a/b", "old", retain: true));

        await store.Set(TestMessages.Message("a/b", "new", retain: true));

        Assert.Equal(["new"], Array.ConvertAll(await store.Match("a/b"), TestMessages.Text));
    }

    [Fact]
    public async Task An_empty_payload_clears_the_retained_message()
    {
        var store = Store(1005);
        await store.Set(TestMessages.Message("a/b", "ab", retain: true));

        await store.Set(TestMessages.Message("a/b", "", retain: true));

        Assert.Empty(await store.Match("a/b"));
        Assert.Equal(0, await store.Count());
    }

    [Fact]
    public async Task An_expired_message_is_not_returned()
    {
        var store = Store(1006);
        var past = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();
        var future = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
        await store.Set(TestMessages.Message("a/old", "old", retain: true, expiresAtUnixMs: past));
        await store.Set(TestMessages.Message("a/new", "new", retain: true, expiresAtUnixMs: future));

        var found = await store.Match("a/+");

        Assert.Equal(["a/new"], Topics(found));
    }

    [Fact]
    public async Task MatchMany_answers_each_filter_at_its_own_index()
    {
        var store = Store(1007);
        foreach (var topic in new[] { "m/a", "m/b", "n/a" })
        {
            await store.Set(TestMessages.Message(topic, topic, retain: true));
        }

        var found = await store.MatchMany(["m/b", "nothing", "+/a", "m/#"]);

        Assert.Equal(4, found.Length);
        Assert.Equal(["m/b"], Topics(found[0]));
        Assert.Empty(found[1]);
        Assert.Equal(["m/a", "n/a"], Topics(found[2]));
        Assert.Equal(["m/a", "m/b"], Topics(found[3]));
    }

    [Fact]
    public async Task The_node_lookup_of_one_SUBSCRIBE_finds_each_filter_its_messages_across_the_shards()
    {
        // Topics that land in different shards, looked up together as one SUBSCRIBE's filters would be.
        var topics = Enumerable.Range(0, 40).Select(i => $"many-lookup/{i}").ToArray();
        Assert.True(topics.Select(RetainedShards.ShardOf).Distinct().Count() > 1);
        foreach (var topic in topics)
        {
            await cluster.Client.GetGrain<IRetainedStoreGrain>(RetainedShards.ShardOf(topic)).Set(TestMessages.Message(topic, topic, retain: true));
        }

        var stores = cluster.Service<RetainedStores>(0);
        var found = await stores.MatchManyAsync(["many-lookup/3", "many-lookup/none", "many-lookup/+", "many-lookup/17"]);

        Assert.Equal(["many-lookup/3"], Topics([.. found[0]]));
        Assert.Empty(found[1]);
        Assert.Equal(topics.Order(StringComparer.Ordinal), Topics([.. found[2]]));
        Assert.Equal(["many-lookup/17"], Topics([.. found[3]]));
    }

    private IRetainedStoreGrain Store(long key) => cluster.Client.GetGrain<IRetainedStoreGrain>(key);

    private static string[] Topics(BrokerMessage[] messages)
    {
        var topics = Array.ConvertAll(messages, m => m.Topic);
        Array.Sort(topics, StringComparer.Ordinal);
        return topics;
    }
}
