using Microsoft.Extensions.Logging;
using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Sessions;
using RobustMq.Abstractions.Shared;
using RobustMq.Grains.Storage;
using RobustMq.Protocol.Topics;

namespace RobustMq.Grains.Sessions;

/// <summary>
/// After a restart, the persistent sessions in this node's storage are subscribed again before any client is served:
/// their routes go to the 64 topic shards (and their <c>$share</c> groups), pointing at this node, and their client ids
/// are held for their grains in the session directory (a client returning with a clean session goes through its grain,
/// which ends the stored session), so a message
/// published before a client returns is queued for it (its session grain activates to take it) instead of finding
/// no subscriber. No session grain is activated for this; one whose session expired while the broker was down is
/// woken to end itself (will, queue, record), and each other one at its expiry if its client never returns (the session
/// directory also wakes each when its will or expiry is due, from the session index: <see cref="SessionDirectoryGrain"/>).
/// </summary>
public sealed partial class StoredSessionRoutes(
    StorageEngines storage,
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IClusterMembershipService membership,
    TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<Routing.RouteTableOptions> routeTable,
    ILogger<StoredSessionRoutes> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>Route changes sent to a topic shard in one call.</summary>
    private const int ChangesPerCall = 5_000;

    private readonly Lock _lock = new();
    private readonly PriorityQueue<string, long> _expiries = new();
    private ITimer? _timer;
    private bool _stopped;

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        if (routeTable.Value.Durable)
        {
            // A cluster: the topic shards keep every route themselves, and a silo that starts must not take the stored
            // sessions of the others (connected elsewhere) to itself. It only gives sessions stored before the session
            // index their entries, once per database, in the background.
            lifecycle.Subscribe(nameof(StoredSessionRoutes), ServiceLifecycleStage.Active, starting =>
            {
                _ = IndexStoredSessionsAsync(_stopping.Token);
                return Task.CompletedTask;
            }, _ => { Dispose(); return Task.CompletedTask; });
            return;
        }

        // Active: grains can be called and this silo is a member (route changes reach its route cache); the listeners
        // start after the silo does.
        lifecycle.Subscribe(nameof(StoredSessionRoutes), ServiceLifecycleStage.Active, RestoreAsync, _ => { Dispose(); return Task.CompletedTask; });
    }

    /// <summary>The index key that says every session stored before the index has its entry (not a shard prefix).</summary>
    internal const string IndexedMarker = "indexed-v1";

    private readonly CancellationTokenSource _stopping = new();

    /// <summary>
    /// Writes the <see cref="SessionIndex"/> entry of every stored session that has none (stored by a version before the
    /// index), so a directory shard that starts anew knows it; then the marker, so later starts skip the scan. Silos that
    /// start together may both run it: each writes what the record says, as a session grain would. Returns how many
    /// entries were written; -1 when the marker was there.
    /// </summary>
    public async Task<int> IndexStoredSessionsAsync(CancellationToken cancellationToken)
    {
        var store = storage.ForState();
        try
        {
            if (await store.GetAsync(SessionIndex.Space, IndexedMarker, cancellationToken) is not null)
            {
                return -1;
            }

            var batch = new RobustMq.Storage.StorageBatch();
            var written = 0;
            await foreach (var entry in store.ScanAsync(SessionGrain.SessionSpace, "", cancellationToken))
            {
                if (SessionQueue.PrefixOf(entry.Key) is null
                    || !TryDecode(entry, SessionRecord.Decode, LogBadRecord, out var record)
                    || await store.GetAsync(SessionIndex.Space, SessionIndex.Key(entry.Key), cancellationToken) is not null)
                {
                    continue;
                }

                batch.Put(SessionIndex.Space, SessionIndex.Key(entry.Key), SessionIndex.Encode(SessionIndex.Of(record)));
                written++;
                if (batch.Operations.Count >= ChangesPerCall)
                {
                    await store.WriteAsync(batch, cancellationToken);
                    batch = new RobustMq.Storage.StorageBatch();
                }
            }

            batch.Put(SessionIndex.Space, IndexedMarker, new byte[] { 1 });
            await store.WriteAsync(batch, cancellationToken);
            if (written > 0)
            {
                LogIndexed(logger, written);
            }

            return written;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The silo stops; the next start tries again.
            return 0;
        }
        catch (Exception ex)
        {
            // The next start tries again; meanwhile such a session is found when its client returns.
            LogIndexFailed(logger, ex);
            return 0;
        }
    }

    [LoggerMessage(EventId = 2106, Level = LogLevel.Information, Message = "Wrote the session index entries of {Count} sessions stored before the index")]
    private static partial void LogIndexed(ILogger logger, int count);

    [LoggerMessage(EventId = 2107, Level = LogLevel.Warning, Message = "Writing the session index entries of sessions stored before the index failed; tried again at the next start")]
    private static partial void LogIndexFailed(ILogger logger, Exception ex);

    /// <summary>Subscribes every stored, unexpired session again; returns how many sessions were restored.</summary>
    public async Task<int> RestoreAsync(CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        var node = NodeNames.Of(silo.SiloAddress);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var byShard = new Dictionary<int, List<RouteChange>>();
        var calls = new List<Task>();
        var expired = new List<string>();
        var sessions = 0;
        var routes = 0;
        var disconnected = new RobustMq.Storage.StorageBatch();
        var claims = new Dictionary<int, List<string>>();

        // Subscriptions are records of their own (SessionSubscriptions), keyed by the session's prefix.
        var subscriptionsByPrefix = new Dictionary<string, List<(string Key, SubscriptionRecord Subscription)>>(StringComparer.Ordinal);
        var sessionPrefixes = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var entry in storage.ForState().ScanAsync(SessionSubscriptions.Space, "", cancellationToken))
        {
            // One bad record keeps neither the node from starting nor the other sessions from their routes.
            if (!TryDecode(entry, SessionSubscriptions.Decode, LogBadSubscription, out var subscription) || entry.Key.Length <= SessionSubscriptions.FilterHashLength)
            {
                continue;
            }

            var prefix = entry.Key[..^SessionSubscriptions.FilterHashLength];
            if (!subscriptionsByPrefix.TryGetValue(prefix, out var list))
            {
                subscriptionsByPrefix[prefix] = list = [];
            }

            list.Add((entry.Key, subscription));
        }

        await foreach (var entry in storage.ForState().ScanAsync(SessionGrain.SessionSpace, "", cancellationToken))
        {
            if (SessionQueue.PrefixOf(entry.Key) is { } ownPrefix)
            {
                sessionPrefixes.Add(ownPrefix);
            }

            // One bad record does not keep the others from their routes; its client finds the error on CONNECT.
            if (!TryDecode(entry, SessionRecord.Decode, LogBadRecord, out var record))
            {
                continue;
            }

            // Stored while connected (the broker stopped under it): disconnected now, written so (the grain and a later
            // restart count its expiry from then, not from whenever they load it).
            var disconnectedAt = record.DisconnectedAtUnixMs == 0 ? now : record.DisconnectedAtUnixMs;
            if (record.DisconnectedAtUnixMs == 0 && record.Attached?.IsLive(membership.CurrentSnapshot) != true)
            {
                var detached = record with { DisconnectedAtUnixMs = now, Attached = null };
                disconnected.Put(SessionGrain.SessionSpace, entry.Key, detached.Encode());
                disconnected.Put(SessionIndex.Space, SessionIndex.Key(entry.Key), SessionIndex.Encode(SessionIndex.Of(detached)));
                if (disconnected.Operations.Count >= ChangesPerCall)
                {
                    await storage.ForState().WriteAsync(disconnected, cancellationToken);
                    disconnected = new RobustMq.Storage.StorageBatch();
                }
            }

            if (record.ExpirySeconds != uint.MaxValue)
            {
                var expiresAt = disconnectedAt + (record.ExpirySeconds * 1000L);
                if (expiresAt <= now)
                {
                    expired.Add(entry.Key);
                    continue;
                }

                lock (_lock)
                {
                    _expiries.Enqueue(entry.Key, expiresAt);
                }
            }

            sessions++;
            var directoryShard = SessionDirectory.ShardOf(entry.Key);
            if (!claims.TryGetValue(directoryShard, out var ids))
            {
                claims[directoryShard] = ids = [];
            }

            ids.Add(entry.Key);
            IEnumerable<SubscriptionRecord> subscriptions = record.Subscriptions;
            if (SessionQueue.PrefixOf(entry.Key) is { } sessionPrefix && subscriptionsByPrefix.TryGetValue(sessionPrefix, out var stored))
            {
                // A record written before subscriptions had records of their own may list some too; the records win.
                var storedSubscriptions = stored.Select(static s => s.Subscription);
                subscriptions = record.Subscriptions.Length == 0
                    ? storedSubscriptions
                    : storedSubscriptions.UnionBy(record.Subscriptions, static s => s.Filter, StringComparer.Ordinal);
            }

            foreach (var subscription in subscriptions)
            {
                routes++;
                var route = RouteEntry.For(subscription, entry.Key, node, persistent: true);
                if (route.ShareGroup is not null)
                {
                    calls.Add(SharedGroups.Of(grains, route.ShareGroup, route.Filter).Join(route));
                    continue;
                }

                var shard = TopicShards.ShardOf(route.Filter);
                if (!byShard.TryGetValue(shard, out var changes))
                {
                    byShard[shard] = changes = [];
                }

                changes.Add(new RouteChange(true, route));
                if (changes.Count >= ChangesPerCall)
                {
                    calls.Add(grains.GetGrain<ITopicShardGrain>(shard).Apply([.. changes]));
                    changes.Clear();
                }
            }
        }

        foreach (var (shard, changes) in byShard)
        {
            if (changes.Count > 0)
            {
                calls.Add(grains.GetGrain<ITopicShardGrain>(shard).Apply([.. changes]));
            }
        }

        if (!disconnected.IsEmpty)
        {
            await storage.ForState().WriteAsync(disconnected, cancellationToken);
        }

        await DeleteLeftoversAsync(subscriptionsByPrefix, sessionPrefixes, cancellationToken);

        foreach (var (shard, ids) in claims)
        {
            calls.Add(grains.GetGrain<ISessionDirectoryGrain>(shard).ClaimStored([.. ids]));
        }

        await Task.WhenAll(calls);
        LogRestored(logger, sessions, routes, expired.Count, (long)clock.GetElapsedTime(started).TotalMilliseconds);

        // Sessions that expired while the broker was down end now (their grains publish wills and delete their records).
        await WakeAsync(expired);
        ScheduleNext();
        return sessions;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            _timer?.Dispose();
            _timer = null;
        }

        _stopping.Cancel();
        _stopping.Dispose();
    }

    private void ScheduleNext()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
            if (_stopped || !_expiries.TryPeek(out _, out var due))
            {
                return;
            }

            var wait = TimeSpan.FromMilliseconds(Math.Max(0, due - clock.GetUtcNow().ToUnixTimeMilliseconds()));
            _timer = clock.CreateTimer(_ => _ = OnDueAsync(), null, wait, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task OnDueAsync()
    {
        var due = new List<string>();
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_lock)
        {
            while (_expiries.TryPeek(out var clientId, out var at) && at <= now)
            {
                _expiries.Dequeue();
                due.Add(clientId);
            }
        }

        await WakeAsync(due);
        ScheduleNext();
    }

    /// <summary>
    /// Activates the session grains of <paramref name="clientIds"/> (a read of the session does it): each finds its
    /// expiry passed as it loads, and ends its session; one whose client came back meanwhile carries on.
    /// </summary>
    private async Task WakeAsync(List<string> clientIds)
    {
        const int Parallel = 64;
        for (var i = 0; i < clientIds.Count; i += Parallel)
        {
            var batch = clientIds.Skip(i).Take(Parallel).Select(async id =>
            {
                try
                {
                    await grains.GetGrain<ISessionGrain>(id).GetInfo();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogWakeFailed(logger, ex, id);
                }
            });
            await Task.WhenAll(batch);
        }
    }

    /// <summary>
    /// Deletes subscription and inbound QoS 2 records whose session record is gone (a session end whose write failed
    /// part-way can leave them): the next session of the same client id would otherwise take them as its own.
    /// </summary>
    private async Task DeleteLeftoversAsync(
        Dictionary<string, List<(string Key, SubscriptionRecord Subscription)>> subscriptionsByPrefix, HashSet<string> sessionPrefixes, CancellationToken cancellationToken)
    {
        var leftovers = new RobustMq.Storage.StorageBatch();
        var count = 0;
        foreach (var (prefix, subscriptions) in subscriptionsByPrefix)
        {
            if (!sessionPrefixes.Contains(prefix))
            {
                foreach (var (key, _) in subscriptions)
                {
                    leftovers.Delete(SessionSubscriptions.Space, key);
                    count++;
                }
            }
        }

        await foreach (var entry in storage.ForState().ScanAsync(SessionQueue.InboundSpace, "", cancellationToken))
        {
            if (entry.Key.Length > SessionQueue.PacketIdDigits && !sessionPrefixes.Contains(entry.Key[..^SessionQueue.PacketIdDigits]))
            {
                leftovers.Delete(SessionQueue.InboundSpace, entry.Key);
                count++;
            }
        }

        if (count > 0)
        {
            await storage.ForState().WriteAsync(leftovers, cancellationToken);
            LogLeftovers(logger, count);
        }
    }

    [LoggerMessage(EventId = 2105, Level = LogLevel.Warning, Message = "Deleted {Count} subscription and inbound QoS 2 records left without their session")]
    private static partial void LogLeftovers(ILogger logger, int count);

    /// <summary>Decodes a stored entry; a corrupt one is logged with <paramref name="logBad"/> and skipped.</summary>
    private bool TryDecode<T>(RobustMq.Storage.StoredEntry entry, Func<ReadOnlyMemory<byte>, T> decode, Action<ILogger, Exception, string> logBad, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out T? value)
        where T : class
    {
        try
        {
            value = decode(entry.Value);
            return true;
        }
        catch (RobustMq.Storage.StorageException ex)
        {
            logBad(logger, ex, entry.Key);
            value = null;
            return false;
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Restored {Sessions} stored sessions ({Routes} subscriptions) in {ElapsedMs} ms; {Expired} had expired")]
    private static partial void LogRestored(ILogger logger, int sessions, int routes, int expired, long elapsedMs);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "The stored session of {ClientId} cannot be read; its subscriptions are not restored")]
    private static partial void LogBadRecord(ILogger logger, Exception ex, string clientId);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Error, Message = "The stored subscription {Key} cannot be read; it is not restored")]
    private static partial void LogBadSubscription(ILogger logger, Exception ex, string key);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Waking the expired session of {ClientId} failed")]
    private static partial void LogWakeFailed(ILogger logger, Exception ex, string clientId);
}
