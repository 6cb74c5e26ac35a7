namespace RobustMq.Abstractions.Routing;

/// <summary>
/// The authoritative route table of one shard of the topic tree. Key: the shard number, 0 ..
/// <see cref="TopicShards.Count"/> - 1 (<see cref="TopicShards.ShardOf"/> of the filter). Each change is pushed to
/// every node's route cache (as a <see cref="RouteBatch"/>) before the call returns, waiting a bounded time per node:
/// a node that is slow or unreachable does not fail the change, and catches up from <see cref="Snapshot"/>.
/// </summary>
public interface ITopicShardGrain : IGrainWithIntegerKey
{
    Task Apply(RouteChange[] changes);

    /// <summary>Removes the clean sessions' routes on these nodes (node names), which left the cluster; persistent ones stay.</summary>
    Task ForgetNodes(string[] nodes);

    [ReadOnly]
    Task<RouteEntry[]> GetRoutes();

    /// <summary>
    /// A page's worth of the shard's routes for the admin API's lists: the rows <paramref name="query"/> selects, how
    /// many, and the first <see cref="RouteQuery.Take"/> in its order (the caller merges every shard's answer).
    /// </summary>
    [ReadOnly]
    Task<RoutePage> Query(RouteQuery query);

    /// <summary>
    /// The member routes of shared subscription <c>$share/{group}/{filter}</c> in this shard (the shard of
    /// <paramref name="filter"/>): what a <c>ISharedGroupGrain</c> loads as it activates.
    /// </summary>
    [ReadOnly]
    Task<RouteEntry[]> GroupRoutes(string group, string filter);

    /// <summary>
    /// Every route of the shard with its epoch and version; <paramref name="node"/> (a node name, <c>NodeNames.Of</c>)
    /// gets every change after it, even before its membership reaches the shard's silo.
    /// </summary>
    Task<RouteSnapshot> Snapshot(string node);

    /// <summary>The shard's epoch and version: a node compares it with its cache's now and then, to catch a push it missed.</summary>
    [ReadOnly]
    Task<RouteVersion> Version();
}
