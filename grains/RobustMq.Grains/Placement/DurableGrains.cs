using RobustMq.Grains.Retained;
using RobustMq.Grains.Routing;
using RobustMq.Grains.Sessions;
using RobustMq.Grains.Shared;

namespace RobustMq.Grains.Placement;

/// <summary>
/// The grain classes that hold the broker's state: a silo without the <c>grains</c> role (<c>Node:Roles</c>) leaves them
/// out of its manifest, so they are placed only on silos that have it. The node dispatcher (placed on its node) and the
/// stateless publisher stay on every silo.
/// </summary>
public static class DurableGrains
{
    public static readonly IReadOnlyList<Type> Types =
    [
        typeof(SessionGrain),
        typeof(SessionDirectoryGrain),
        typeof(TopicShardGrain),
        typeof(RetainedStoreGrain),
        typeof(SharedGroupGrain),
    ];
}
