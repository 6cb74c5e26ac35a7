using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Shared;

namespace RobustMq.Grains.Shared;

/// <summary>Members of one <c>$share/{group}/{filter}</c>; each member's route is kept in the filter's topic shard.</summary>
// Its state lives only in memory in this version, so it must not be collected while idle.
[KeepAlive]
public sealed class SharedGroupGrain : Grain, ISharedGroupGrain
{
    private readonly Dictionary<string, RouteEntry> _members = new(StringComparer.Ordinal);

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
            // Not known here (this grain started anew after its silo died): the session says what to take out.
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
                // Not known here (started anew after its silo died): the route the session had goes all the same.
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
