using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Routing;
using RobustMq.Grains.Membership;
using RobustMq.Grains.Storage;
using RobustMq.Storage;

namespace RobustMq.Grains.Routing;

/// <summary>
/// Authoritative routes of one topic shard. Every change is pushed, as a versioned <see cref="RouteBatch"/>, to every
/// active silo's dispatcher (and so its route cache) and to every node that took a <see cref="Snapshot"/>, before
/// <see cref="Apply"/> returns, so a PUBLISH after the SUBACK finds it on any node. Each push waits at most
/// <see cref="PushTimeout"/>: a node that is dying or unreachable costs a SUBSCRIBE that long, never its success, and
/// loads the shard again when it sees the version gap. With <see cref="RouteTableOptions.Durable"/> (a cluster) every
/// change is stored before it is pushed, and an activation starts from the stored routes: a shard survives its silo.
/// </summary>
// Kept active: on one node its routes live only in memory; in a cluster, reloading them costs a scan.
[KeepAlive]
public sealed partial class TopicShardGrain(
    IClusterMembershipService membership,
    StorageEngines storage,
    StoredRoutes stored,
    IOptions<RouteTableOptions> options,
    ILogger<TopicShardGrain> logger) : Grain, ITopicShardGrain
{
    /// <summary>How long a change waits for one node's route cache.</summary>
    public static readonly TimeSpan PushTimeout = TimeSpan.FromSeconds(2);

    private readonly HashSet<RouteEntry> _routes = [];
    private readonly Guid _epoch = Guid.NewGuid();

    /// <summary>Nodes that loaded a snapshot: pushed to whatever this silo's membership view says, until they are dead.</summary>
    private readonly Dictionary<string, SiloAddress> _followers = new(StringComparer.Ordinal);
    private long _version;

    /// <summary>Dead nodes whose clean routes are gone from this shard.</summary>
    private readonly HashSet<string> _forgotten = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _deactivating = new();

    private int Shard => (int)this.GetPrimaryKeyLong();

    private bool Durable => options.Value.Durable;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Durable)
        {
            // A storage failure fails the activation: the caller's route change or snapshot fails and is tried again.
            foreach (var route in await stored.LoadAsync(storage.ForState(), Shard, cancellationToken))
            {
                _routes.Add(route);
            }

            LogLoaded(logger, Shard, _routes.Count);
        }

        _ = FollowMembershipAsync(_deactivating.Token);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _deactivating.CancelAsync();
        _deactivating.Dispose();
    }

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

        await StoreAsync(effective);
        await PushAsync(effective);
    }

    /// <summary>
    /// Removes the routes of clean sessions on nodes that left the cluster (those sessions ended with their node); the
    /// routes of persistent sessions stay, so their messages are queued until the client returns on another node.
    /// </summary>
    public async Task ForgetNodes(string[] nodes)
    {
        var gone = new HashSet<string>(nodes, StringComparer.Ordinal);
        var removed = new List<RouteChange>();
        foreach (var route in _routes)
        {
            if (!route.Persistent && gone.Contains(route.Node))
            {
                removed.Add(new RouteChange(false, route));
            }
        }

        foreach (var change in removed)
        {
            _routes.Remove(change.Entry);
        }

        await StoreAsync(removed);

        if (removed.Count > 0)
        {
            LogNodeRoutesRemoved(logger, Shard, removed.Count, string.Join(", ", nodes));
        }

        await PushAsync(removed);
    }

    /// <summary>
    /// Stores changes just made to <see cref="_routes"/> when the table is durable. If the write fails they are undone
    /// and the caller gets the <see cref="StorageException"/>: a route is served only once it would survive the silo.
    /// </summary>
    private async Task StoreAsync(List<RouteChange> effective)
    {
        if (!Durable || effective.Count == 0)
        {
            return;
        }

        try
        {
            await storage.ForState().WriteAsync(stored.AddTo(new StorageBatch(), Shard, effective));
        }
        catch (StorageException)
        {
            for (var i = effective.Count - 1; i >= 0; i--)
            {
                _ = effective[i].Add ? _routes.Remove(effective[i].Entry) : _routes.Add(effective[i].Entry);
            }

            // The write's outcome may be unknown (the connection broke during COMMIT): the next activation reads what
            // was stored instead of trusting this one's memory.
            DeactivateOnIdle();
            throw;
        }
    }

    /// <summary>Pushes changes made to <see cref="_routes"/> as the shard's next version.</summary>
    private async Task PushAsync(List<RouteChange> effective)
    {
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

    public Task<RoutePage> Query(RouteQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Task.FromResult(query.Answer(_routes));
    }

    public Task<RouteEntry[]> GroupRoutes(string group, string filter) =>
        Task.FromResult(_routes.Where(r => string.Equals(r.ShareGroup, group, StringComparison.Ordinal) && string.Equals(r.Filter, filter, StringComparison.Ordinal)).ToArray());

    public Task<RouteVersion> Version() => Task.FromResult(new RouteVersion(_epoch, _version));

    public Task<RouteSnapshot> Snapshot(string node)
    {
        _followers[node] = SiloAddress.FromParsableString(node);
        return Task.FromResult(new RouteSnapshot(Shard, _epoch, _version, [.. _routes]));
    }

    /// <summary>Each silo that membership declares dead has its clean routes removed (through a call to this grain, in turn).</summary>
    private Task FollowMembershipAsync(CancellationToken cancellationToken)
    {
        var self = this.AsReference<ITopicShardGrain>();
        return DeadNodeFollower.FollowAsync(membership, _forgotten, self.ForgetNodes, ex => LogForgetFailed(logger, ex, Shard), cancellationToken);
    }

    private async Task PushAsync(string node, RouteBatch batch)
    {
        try
        {
            var dispatcher = GrainFactory.GetGrain<INodeDispatcherGrain>(node);
            if (!await dispatcher.ApplyRoutes(batch).WaitAsync(PushTimeout))
            {
                // The node is behind on this shard (it missed a push, or knew an earlier activation of it): it gets
                // the whole table now, so the change is in effect there before this call returns (and the SUBSCRIBE
                // that made it is answered). The routes are this version's: no other change runs meanwhile.
                _followers[node] = SiloAddress.FromParsableString(node);
                await dispatcher.LoadRoutes(new RouteSnapshot(Shard, _epoch, batch.Version, [.. _routes])).WaitAsync(PushTimeout);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The node sees the version gap at its next push (or its snapshot when it starts) and loads the shard again.
            LogPushFailed(logger, ex, batch.Shard, batch.Version, node);
        }
    }

    [LoggerMessage(EventId = 7107, Level = LogLevel.Information, Message = "Topic shard {Shard}: loaded {Count} stored routes")]
    private static partial void LogLoaded(ILogger logger, int shard, int count);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Information, Message = "Topic shard {Shard}: removed {Count} routes of clean sessions on dead nodes {Nodes}")]
    private static partial void LogNodeRoutesRemoved(ILogger logger, int shard, int count, string nodes);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Warning, Message = "Topic shard {Shard}: removing the routes of dead nodes failed; tried again in 5 s")]
    private static partial void LogForgetFailed(ILogger logger, Exception exception, int shard);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Topic shard {Shard}: route change {Version} did not reach node {Node}; it will load the shard again")]
    private static partial void LogPushFailed(ILogger logger, Exception exception, int shard, long version, string node);
}
