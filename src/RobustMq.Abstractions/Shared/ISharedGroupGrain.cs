using RobustMq.Abstractions.Routing;

namespace RobustMq.Abstractions.Shared;

/// <summary>
/// The members of one shared subscription. Key: <c>{group}/{filter}</c>. Keeps membership and adds or
/// removes each member's route (marked with the group) in the topic shard; gateways pick one member per
/// message from their route cache with the configured strategy.
/// </summary>
public interface ISharedGroupGrain : IGrainWithStringKey
{
    Task Join(RouteEntry member);

    Task<bool> Leave(string clientId);

    [ReadOnly]
    Task<RouteEntry[]> GetMembers();
}
