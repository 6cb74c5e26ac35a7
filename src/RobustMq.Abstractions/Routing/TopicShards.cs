namespace RobustMq.Abstractions.Routing;

/// <summary>
/// How filters map to topic shard grains (<see cref="ITopicShardGrain"/>): a fixed number of buckets, the filter's
/// FNV-1a hash modulo <see cref="Count"/>. Fixed, so a node can list every shard (0 .. Count - 1) and load the whole
/// route table from them; a publish never asks a shard (it matches in the node's route cache), so any even spread does.
/// </summary>
public static class TopicShards
{
    /// <summary>How many topic shards there are. Changing it moves routes between shards: every node must agree.</summary>
    public const int Count = 64;

    /// <summary>The shard (0 .. <see cref="Count"/> - 1) that holds the routes of <paramref name="filter"/> (as subscribed, without <c>$share/group/</c>).</summary>
    public static int ShardOf(string filter) => (int)(TopicHash.Of(filter) % Count);
}
