using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Shared;

namespace RobustMq.Grains.Shared;

/// <summary>
/// Members of one <c>$share/{group}/{filter}</c>. Each member's route is kept in the filter's topic shard, which is the
/// record of membership (stored there in a cluster): an activation loads its members from the shard, so the grain may be
/// collected when idle, and one that starts anew after its silo died knows its members again.
/// </summary>
public sealed class SharedGroupGrain : Grain, ISharedGroupGrain
{
    private readonly Dictionary<string, RouteEntry> _members = new(StringComparer.Ordinal);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!SharedGroups.TryParseKey(this.GetPrimaryKeyString(), out var group, out var filter))
        {
            return;
        }

        foreach (var route in await Shard(filter).GroupRoutes(group, filter))
        {
            // One route per member: a second (left by a node change that failed half-way) goes at the member's next change.
            _members.TryAdd(route.ClientId, route);
        }
    }

    public async Task Join(RouteEntry member, RouteEntry? previous = null)
    {
        var changes = new List<RouteChange>(2);
        if (_members.TryGetValue(member.ClientId, out var old))
        {
            if (old == member)
            {
                return;
            }

            changes.Add(new RouteChange(false, old));
        }
        else if (previous is not null && previous != member)
        {
            // Not known here (the shard did not have it when this grain loaded): the session says what to take out.
            changes.Add(new RouteChange(false, previous));
        }

        changes.Add(new RouteChange(true, member));
        _members[member.ClientId] = member;
        await Shard(member.Filter).Apply([.. changes]);
    }

    public async Task<bool> Leave(string clientId, RouteEntry? route = null)
    {
        if (!_members.Remove(clientId, out var old))
        {
            if (route is not null)
            {
                // Not known here (the shard did not have it when this grain loaded): the route the session had goes all the same.
                await Shard(route.Filter).Apply([new RouteChange(false, route)]);
            }

            return false;
        }

        await Shard(old.Filter).Apply([new RouteChange(false, old)]);
        if (_members.Count == 0)
        {
            DeactivateOnIdle();
        }

        return true;
    }

    public Task<RouteEntry[]> GetMembers() => Task.FromResult(_members.Values.ToArray());

    private ITopicShardGrain Shard(string filter) => GrainFactory.GetGrain<ITopicShardGrain>(TopicShards.ShardOf(filter));
}
