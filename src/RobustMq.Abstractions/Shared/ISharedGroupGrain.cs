using RobustMq.Abstractions.Routing;

namespace RobustMq.Abstractions.Shared;

/// <summary>
/// The members of one shared subscription. Key: <c>{group}/{filter}</c>. Keeps membership and adds or
/// removes each member's route (marked with the group) in the topic shard; gateways pick one member per
/// message from their route cache with the configured strategy.
/// </summary>
public interface ISharedGroupGrain : IGrainWithStringKey
{
    /// <summary>
    /// Adds or replaces <paramref name="member"/>'s route. <paramref name="previous"/>: the route the session had in this
    /// group before (another node or other options), removed from the shard even if this grain does not know it (a
    /// route the shard did not have when the grain loaded), so no stale member stays in the route table.
    /// </summary>
    Task Join(RouteEntry member, RouteEntry? previous = null);

    /// <summary>
    /// Removes <paramref name="clientId"/>; false when it was not a member. <paramref name="route"/>: the member's route as
    /// the session knows it, removed from the shard whatever this grain remembers.
    /// </summary>
    Task<bool> Leave(string clientId, RouteEntry? route = null);

    [ReadOnly]
    Task<RouteEntry[]> GetMembers();
}
