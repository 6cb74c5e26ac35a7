namespace RobustMq.Abstractions.Routing;

/// <summary>
/// The authoritative route table of one shard of the topic tree. Key: the shard number, 0 ..
/// <see cref="TopicShards.Count"/> - 1 (<see cref="TopicShards.ShardOf"/> of the filter). Each change is pushed to
/// every node's route cache before the call returns.
/// </summary>
public interface ITopicShardGrain : IGrainWithIntegerKey
{
    Task Apply(RouteChange[] changes);

    [ReadOnly]
    Task<RouteEntry[]> GetRoutes();
}
