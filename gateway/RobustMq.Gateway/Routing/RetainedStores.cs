using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Retained;
using RobustMq.Protocol.Topics;

namespace RobustMq.Gateway.Routing;

/// <summary>
/// This node's references to the retained store shards, made once: GetGrain resolves the interface type on every
/// call, which showed in the connect profile for the directory; a retained publish or a SUBSCRIBE (8 shard
/// lookups) would pay it as often.
/// </summary>
public sealed class RetainedStores(IGrainFactory grains)
{
    private readonly IRetainedStoreGrain[] _shards = CreateShards(grains);

    public IRetainedStoreGrain ForTopic(string topic) => _shards[RetainedShards.ShardOf(topic)];

    /// <summary>Retained messages matching a filter: from every shard at once, or from one for a filter without wildcards.</summary>
    public Task<BrokerMessage[][]> MatchAsync(string filter)
    {
        if (!TopicValidator.HasWildcards(filter))
        {
            // Such a filter matches one topic only, and a topic's retained message lives in the shard of that topic.
            return OneShardAsync(ForTopic(filter).Match(filter));
        }

        var lookups = new Task<BrokerMessage[]>[_shards.Length];
        for (var shard = 0; shard < lookups.Length; shard++)
        {
            lookups[shard] = _shards[shard].Match(filter);
        }

        return Task.WhenAll(lookups);
    }

    private static async Task<BrokerMessage[][]> OneShardAsync(Task<BrokerMessage[]> lookup) => [await lookup];

    private static IRetainedStoreGrain[] CreateShards(IGrainFactory grains)
    {
        var shards = new IRetainedStoreGrain[RetainedShards.Count];
        for (var i = 0; i < shards.Length; i++)
        {
            shards[i] = grains.GetGrain<IRetainedStoreGrain>(i);
        }

        return shards;
    }
}
