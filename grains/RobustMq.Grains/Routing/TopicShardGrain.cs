using Microsoft.Extensions.Logging;
using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Routing;

namespace RobustMq.Grains.Routing;

/// <summary>
/// Authoritative routes of one topic shard. Every change is pushed, as a versioned <see cref="RouteBatch"/>, to every
/// active silo's dispatcher (and so its route cache) and to every node that took a <see cref="Snapshot"/>, before
/// <see cref="Apply"/> returns, so a PUBLISH after the SUBACK finds it on any node. Each push waits at most
/// <see cref="PushTimeout"/>: a node that is dying or unreachable costs a SUBSCRIBE that long, never its success, and
/// loads the shard again when it sees the version gap.
/// </summary>
// Its state lives only in memory in this version, so it must not be collected while idle.
[KeepAlive]
public sealed partial class TopicShardGrain(IClusterMembershipService membership, ILogger<TopicShardGrain> logger) : Grain, ITopicShardGrain
{
    /// <summary>How long a change waits for one node's route cache.</summary>
    public static readonly TimeSpan PushTimeout = TimeSpan.FromSeconds(2);

    private readonly HashSet<RouteEntry> _routes = [];
    private readonly Guid _epoch = Guid.NewGuid();

    /// <summary>Nodes that loaded a snapshot: pushed to whatever this silo's membership view says, until they are dead.</summary>
    private readonly Dictionary<string, SiloAddress> _followers = new(StringComparer.Ordinal);
    private long _version;

    private int Shard => (int)this.GetPrimaryKeyLong();

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

        var batch = new RouteBatch(Shard, _epoch, ++_version, [.. effective]);
        var snapshot = membership.CurrentSnapshot;
        var targets = new Dictionary<string, SiloAddress>(StringComparer.Ordinal);
        foreach (var member in snapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active)
            {
                targets[NodeNames.Of(member.SiloAddress)] = member.SiloAddress;
            }
        }

        List<string>? gone = null;
        foreach (var (node, address) in _followers)
        {
            var status = snapshot.GetSiloStatus(address);
            if (status is SiloStatus.Dead)
            {
                (gone ??= []).Add(node);
            }
            else
            {
                targets.TryAdd(node, address);
            }
        }

        foreach (var node in gone ?? [])
        {
            _followers.Remove(node);
        }

        var pushes = new List<Task>(targets.Count);
        foreach (var node in targets.Keys)
        {
            pushes.Add(PushAsync(node, batch));
        }

        await Task.WhenAll(pushes);
    }

    public Task<RouteEntry[]> GetRoutes() => Task.FromResult(_routes.ToArray());

    public Task<RouteVersion> Version() => Task.FromResult(new RouteVersion(_epoch, _version));

    public Task<RouteSnapshot> Snapshot(string node)
    {
        _followers[node] = SiloAddress.FromParsableString(node);
        return Task.FromResult(new RouteSnapshot(Shard, _epoch, _version, [.. _routes]));
    }

    private async Task PushAsync(string node, RouteBatch batch)
    {
        try
        {
            await GrainFactory.GetGrain<INodeDispatcherGrain>(node).ApplyRoutes(batch).WaitAsync(PushTimeout);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The node sees the version gap at its next push (or its snapshot when it starts) and loads the shard again.
            LogPushFailed(logger, ex, batch.Shard, batch.Version, node);
        }
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Topic shard {Shard}: route change {Version} did not reach node {Node}; it will load the shard again")]
    private static partial void LogPushFailed(ILogger logger, Exception exception, int shard, long version, string node);
}
