namespace RobustMq.Abstractions.Routing;

/// <summary>
/// The authoritative route table of one shard of the topic tree. Key: the first level of the filter, or
/// <see cref="TopicShards.WildcardShard"/> for filters whose first level is a wildcard. Each change is
/// pushed to every node's route cache before the call returns.
/// </summary>
public interface ITopicShardGrain : IGrainWithStringKey
{
    Task Apply(RouteChange[] changes);

    [ReadOnly]
    Task<RouteEntry[]> GetRoutes();
}
