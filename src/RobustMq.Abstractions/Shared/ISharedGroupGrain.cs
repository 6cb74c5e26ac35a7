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

/// <summary>The key of an <see cref="ISharedGroupGrain"/>: <c>{group}/{filter}</c> (a group name has no '/', MQTT 5 4.8.2).</summary>
public static class SharedGroups
{
    /// <summary>The grain of <c>$share/{group}/{filter}</c>.</summary>
    public static ISharedGroupGrain Of(IGrainFactory grains, string group, string filter)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<ISharedGroupGrain>(Key(group, filter));
    }

    /// <summary>The key of <c>$share/{group}/{filter}</c>.</summary>
    public static string Key(string group, string filter) => string.Concat(group, "/", filter);

    /// <summary>Splits a <see cref="Key"/>; false when it has no group (no '/' after at least one character).</summary>
    public static bool TryParseKey(string key, out string group, out string filter)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        (group, filter) = slash > 0 ? (key[..slash], key[(slash + 1)..]) : ("", "");
        return slash > 0;
    }
}
