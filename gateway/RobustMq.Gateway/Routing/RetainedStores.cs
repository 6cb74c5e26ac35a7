using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Retained;
using RobustMq.Protocol.Topics;

namespace RobustMq.Gateway.Routing;

/// <summary>
/// This node's references to the retained store shards, made once: GetGrain resolves the interface type on every
/// call, which showed in the connect profile for the directory; a retained publish or a SUBSCRIBE (8 shard
/// lookups) would pay it as often. Made at first use, not at start-up: on a gateway-only silo (<c>Node:Roles</c>)
/// the interface resolves only once the cluster's manifest has a silo that hosts the shards.
/// </summary>
public sealed class RetainedStores(IGrainFactory grains)
{
    private IRetainedStoreGrain[]? _created;

    private IRetainedStoreGrain[] _shards => _created ??= CreateShards(grains);

    public IRetainedStoreGrain ForTopic(string topic) => _shards[RetainedShards.ShardOf(topic)];

    /// <summary>
    /// Retained messages matching each of <paramref name="filters"/> (one SUBSCRIBE's), with at most one call per
    /// shard: element <c>i</c> holds, shard by shard, what <paramref name="filters"/>[i] matches. A filter without
    /// wildcards is asked of its topic's shard only.
    /// </summary>
    public async Task<IReadOnlyList<BrokerMessage>[]> MatchManyAsync(IReadOnlyList<string> filters)
    {
        var perShard = new List<int>?[_shards.Length];
        for (var i = 0; i < filters.Count; i++)
        {
            if (TopicValidator.HasWildcards(filters[i]))
            {
                for (var shard = 0; shard < perShard.Length; shard++)
                {
                    (perShard[shard] ??= []).Add(i);
                }
            }
            else
            {
                (perShard[RetainedShards.ShardOf(filters[i])] ??= []).Add(i);
            }
        }

        var shards = new List<int>(perShard.Length);
        var lookups = new List<Task<BrokerMessage[][]>>(perShard.Length);
        for (var shard = 0; shard < perShard.Length; shard++)
        {
            if (perShard[shard] is { } indexes)
            {
                var asked = new string[indexes.Count];
                for (var j = 0; j < asked.Length; j++)
                {
                    asked[j] = filters[indexes[j]];
                }

                shards.Add(shard);
                lookups.Add(_shards[shard].MatchMany(asked));
            }
        }

        var answers = await Task.WhenAll(lookups);
        var found = new List<BrokerMessage>?[filters.Count];
        for (var k = 0; k < answers.Length; k++)
        {
            var indexes = perShard[shards[k]]!;
            for (var j = 0; j < indexes.Count; j++)
            {
                if (answers[k][j].Length > 0)
                {
                    (found[indexes[j]] ??= []).AddRange(answers[k][j]);
                }
            }
        }

        var result = new IReadOnlyList<BrokerMessage>[found.Length];
        for (var i = 0; i < found.Length; i++)
        {
            result[i] = found[i] ?? (IReadOnlyList<BrokerMessage>)[];
        }

        return result;
    }

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
