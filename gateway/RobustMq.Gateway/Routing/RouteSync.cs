using Microsoft.Extensions.Logging;
using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Routing;

namespace RobustMq.Gateway.Routing;

/// <summary>
/// Keeps this node's <see cref="RouteCache"/> in step with the topic shards. At start-up, before any listener opens,
/// it loads every shard's snapshot (a node that joins a running cluster serves the routes made before it came); then it
/// loads a shard again whenever the cache sees it missed a push (<see cref="RouteCache.ShardBehind"/>), and every
/// <see cref="CheckInterval"/> it compares each shard's version with the cache's, to catch a lost push that no later
/// push revealed.
/// </summary>
public sealed partial class RouteSync(
    RouteCache cache,
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IClusterMembershipService membership,
    IClusterManifestProvider manifests,
    ILogger<RouteSync> logger)
    : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>How often every shard's version is compared with the cache's.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(10);

    /// <summary>How long start-up keeps trying to load the shards before the silo gives up starting.</summary>
    private static readonly TimeSpan StartupLimit = TimeSpan.FromSeconds(60);

    /// <summary>Versions a check found the cache behind of; loaded at the next check if the cache has not reached them by then.</summary>
    private readonly RouteVersion?[] _suspects = new RouteVersion?[TopicShards.Count];
    private readonly CancellationTokenSource _stopping = new();
    private Task? _checks;

    private string Node => NodeNames.Of(silo.SiloAddress);

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        // Active: this silo is a member and can call grains; the MQTT listeners start only after the silo has.
        lifecycle.Subscribe(nameof(RouteSync), ServiceLifecycleStage.Active, StartAsync, StopAsync);
    }

    // Set once a load found no silo that hosts topic shards (a gateway-only silo before any grains silo is up).
    private volatile bool _noGrainsSilo;

    /// <summary>Loads every shard (retrying for up to a minute), then follows them.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        cache.ShardBehind += OnShardBehind;
        var started = DateTime.UtcNow;
        await WaitForManifestsAsync(cancellationToken);
        var pending = Enumerable.Range(0, TopicShards.Count).ToList();
        while (true)
        {
            await Task.WhenAll(pending.Select(shard => SyncAsync(shard, cancellationToken)));
            // A load begun by a push (ShardBehind) may still be under way, or have failed: only a loaded shard counts.
            pending = [.. pending.Where(shard => !cache.IsLoaded(shard))];
            if (pending.Count == 0)
            {
                break;
            }

            if (DateTime.UtcNow - started > StartupLimit)
            {
                throw new InvalidOperationException(_noGrainsSilo
                    ? $"no silo hosting topic shards (Node:Roles with grains) joined the cluster within {StartupLimit.TotalSeconds} s: start one first"
                    : $"the route table could not be loaded from topic shards {string.Join(", ", pending)} within {StartupLimit.TotalSeconds} s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }

        _checks = CheckLoopAsync(_stopping.Token);
    }

    /// <summary>
    /// Waits (up to 15 s) until this silo knows the grain types of every active silo: until then Orleans does not place
    /// a grain there, so a node dispatcher on another silo could not be called and the first PUBLISHes of a silo that
    /// just joined would find no way to subscribers elsewhere.
    /// </summary>
    private async Task WaitForManifestsAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            var known = manifests.Current.Silos;
            var missing = membership.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active && !known.ContainsKey(m.SiloAddress));
            if (missing == 0)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }

        LogManifestsIncomplete(logger);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        cache.ShardBehind -= OnShardBehind;
        await _stopping.CancelAsync();
        if (_checks is { } checks)
        {
            await checks.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>Loads one shard's snapshot into the cache; false when it could not be read (the shard stays behind).</summary>
    public async Task<bool> SyncAsync(int shard, CancellationToken cancellationToken = default)
    {
        if (!cache.BeginSync(shard))
        {
            // Another load of this shard is under way.
            return true;
        }

        try
        {
            // Pushes newer than the snapshot may have been missed too (CompleteSync false): load again, a few times.
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var snapshot = await grains.GetGrain<ITopicShardGrain>(shard).Snapshot(Node).WaitAsync(cancellationToken);
                if (cache.CompleteSync(snapshot))
                {
                    _suspects[shard] = null;
                    return true;
                }

                cache.BeginSync(shard);
            }

            cache.AbandonSync(shard);
            return false;
        }
        catch (ArgumentException ex) when (ex.Message.StartsWith("Could not find an implementation", StringComparison.Ordinal))
        {
            // No silo in the cluster hosts topic shards: this one is gateway-only (Node:Roles) and no grains silo is up.
            cache.AbandonSync(shard);
            if (!_noGrainsSilo)
            {
                _noGrainsSilo = true;
                LogNoGrainsSilo(logger);
            }

            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            cache.AbandonSync(shard);
            LogSyncFailed(logger, ex, shard);
            return false;
        }
    }

    // Off the caller's context: the dispatcher grain that applied the push raises this.
    private void OnShardBehind(int shard) => _ = Task.Run(() => SyncAsync(shard, _stopping.Token));

    private async Task CheckLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(CheckInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await CheckAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// Every shard's version against the cache's. A push may be on its way when the version is read, so a shard found
    /// behind is loaded only if it is still behind that version at the next check.
    /// </summary>
    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        for (var shard = 0; shard < TopicShards.Count; shard++)
        {
            try
            {
                if (_suspects[shard] is { } suspect && !cache.IsCurrent(shard, suspect))
                {
                    LogShardBehind(logger, shard, suspect.Version);
                    await SyncAsync(shard, cancellationToken);
                    continue;
                }

                var version = await grains.GetGrain<ITopicShardGrain>(shard).Version().WaitAsync(cancellationToken);
                _suspects[shard] = cache.IsCurrent(shard, version) ? null : version;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSyncFailed(logger, ex, shard);
            }
        }
    }

    [LoggerMessage(EventId = 7106, Level = LogLevel.Warning, Message = "Some active silos' grain types were still unknown after 15 s; deliveries to them may fail until they are")]
    private static partial void LogManifestsIncomplete(ILogger logger);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Warning, Message = "Route table: no silo in the cluster hosts topic shards (a silo with Node:Roles grains); waiting for one")]
    private static partial void LogNoGrainsSilo(ILogger logger);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Warning, Message = "Route table: topic shard {Shard} could not be loaded; retrying")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception, int shard);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Information, Message = "Route table: topic shard {Shard} was behind version {Version}; loading it again")]
    private static partial void LogShardBehind(ILogger logger, int shard, long version);
}
