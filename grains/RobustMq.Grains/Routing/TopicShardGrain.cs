
using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Routing;

namespace RobustMq.Grains.Routing;

/// <summary>
/// Authoritative routes of one topic shard. Every change is pushed to every active silo's dispatcher
/// (and so its route cache) before <see cref="Apply"/> returns, so a PUBLISH after the SUBACK finds it.
/// </summary>
// Its state lives only in memory in this version, so it must not be collected while idle.
[KeepAlive]
public sealed class TopicShardGrain(IClusterMembershipService membership) : Grain, ITopicShardGrain
{
    private readonly HashSet<RouteEntry> _routes = [];

    public async Task Apply(RouteChange[] changes)
    {
        var effective = new List<RouteChange>(changes.Length);
        foreach (var change in changes)
        {
            var changed = change.Add ? _routes.Add(change.Entry) : _routes.Remove(change.Entry);
            if (changed)
            {
                effective.Add(change);
            }
        }

        if (effective.Count == 0)
        {
            return;
        }

        var batch = effective.ToArray();
        var pushes = new List<Task>();
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active)
            {
                pushes.Add(GrainFactory.GetGrain<INodeDispatcherGrain>(NodeNames.Of(member.SiloAddress)).ApplyRoutes(batch));
            }
        }

        await Task.WhenAll(pushes);
    }

    public Task<RouteEntry[]> GetRoutes() => Task.FromResult(_routes.ToArray());
}
