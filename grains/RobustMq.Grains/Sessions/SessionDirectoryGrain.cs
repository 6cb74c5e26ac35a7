using Microsoft.Extensions.Logging;
using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Membership;
using RobustMq.Grains.Storage;

namespace RobustMq.Grains.Sessions;

/// <summary>
/// One shard of the session directory (see <see cref="ISessionDirectoryGrain"/>): a map in memory, rebuilt when the
/// shard activates from what outlives its silo. The live nodes say which of their connections hold an id of the shard
/// (<see cref="INodeDispatcherGrain.Holders"/>), and the <see cref="SessionIndex"/> in storage says which ids a session
/// grain holds state for. The shard also looks after the stored sessions whose grains died with a silo: a session whose
/// connection was on a dead node is woken at once (its grain detaches it, sends its will and starts its expiry), and
/// each disconnected one is woken when its will or expiry is due, so neither waits for its client to return.
/// </summary>
// Its map lives in memory and its wake timer runs here, so it must not be collected while idle.
[KeepAlive]
public sealed partial class SessionDirectoryGrain(
    StorageEngines storage,
    IClusterMembershipService membership,
    TimeProvider clock,
    ILogger<SessionDirectoryGrain> logger) : Grain, ISessionDirectoryGrain
{
    /// <summary>How long a starting shard waits for one node's holders.</summary>
    private static readonly TimeSpan HoldersTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long a session whose wake failed waits to be woken again: the first time, then doubling up to the second.</summary>
    private static readonly TimeSpan WakeRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxWakeRetryDelay = TimeSpan.FromMinutes(1);

    /// <summary>Session grains woken at once.</summary>
    private const int WakesAtOnce = 64;

    private readonly Dictionary<string, Holder> _holders = new(StringComparer.Ordinal);

    /// <summary>Disconnected stored sessions by when their will or expiry is due (Unix ms), as the index said.</summary>
    private PriorityQueue<string, long> _due = new();

    /// <summary>Sessions whose connection's node died: their grains are woken at once.</summary>
    private readonly HashSet<string> _orphans = new(StringComparer.Ordinal);

    /// <summary>Sessions whose wake failed: woken again at <see cref="_retryAt"/>.</summary>
    private readonly HashSet<string> _retrying = new(StringComparer.Ordinal);

    /// <summary>Dead nodes already handled.</summary>
    private readonly HashSet<string> _forgotten = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _deactivating = new();
    private IGrainTimer? _wakeTimer;
    private bool _waking;

    /// <summary>When the sessions whose wake failed are tried again (<see cref="_retryDelay"/> after the failure).</summary>
    private DateTimeOffset _retryAt;
    private TimeSpan _retryDelay;

    private int Shard => (int)this.GetPrimaryKeyLong();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var snapshot = membership.CurrentSnapshot;
        var live = new List<string>();
        foreach (var member in snapshot.Members.Values)
        {
            var node = NodeNames.Of(member.SiloAddress);
            if (member.Status == SiloStatus.Dead)
            {
                // What was on it is gone; the rebuild below takes live nodes' connections only.
                _forgotten.Add(node);
            }
            else if (member.Status == SiloStatus.Active)
            {
                live.Add(node);
            }
        }

        // A storage failure fails the activation: the caller's CONNECT fails and its client tries again.
        var index = await ReadIndexAsync(cancellationToken);
        foreach (var clientId in index.Stored)
        {
            _holders.TryAdd(clientId, new Holder(null, true));
        }

        _due = index.Due;
        var connected = index.Connected;
        var reported = await Task.WhenAll(live.Select(AskHoldersAsync));
        foreach (var holder in reported.SelectMany(static h => h))
        {
            var backed = holder.Persistent || (_holders.TryGetValue(holder.ClientId, out var stored) && stored.Backed);
            _holders[holder.ClientId] = new Holder(holder.Connection, backed);
            connected.Remove(holder.ClientId);
        }

        // Stored as connected, and no live node holds them: their connections' nodes died (or stopped before the
        // hand-back was written).
        _orphans.UnionWith(connected);
        if (_holders.Count > 0)
        {
            LogRebuilt(logger, Shard, _holders.Count, _orphans.Count, _due.Count);
        }

        ScheduleWake();
        _ = FollowMembershipAsync(_deactivating.Token);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _deactivating.CancelAsync();
        _deactivating.Dispose();
    }

    public Task<SessionClaim> Claim(string clientId, ConnectionRef connection, bool backed)
    {
        if (!_holders.TryGetValue(clientId, out var previous))
        {
            _holders[clientId] = new Holder(connection, backed);
            return Task.FromResult(new SessionClaim(null, false));
        }

        if (previous.Backed && !backed)
        {
            // A session grain holds state for this id: the clean connection must go through it.
            return Task.FromResult(new SessionClaim(previous.Connection, true));
        }

        _holders[clientId] = new Holder(connection, backed);
        // The same connection (its node reported it to this shard as it started, before its claim came): nothing to close.
        return Task.FromResult(new SessionClaim(previous.Connection == connection ? null : previous.Connection, previous.Backed));
    }

    public Task ClaimStored(string[] clientIds)
    {
        foreach (var clientId in clientIds)
        {
            _holders.TryAdd(clientId, new Holder(null, true));
        }

        return Task.CompletedTask;
    }

    public Task Release(string clientId, ConnectionRef connection)
    {
        if (_holders.TryGetValue(clientId, out var holder) && !holder.Backed && holder.Connection == connection)
        {
            _holders.Remove(clientId);
        }

        return Task.CompletedTask;
    }

    public Task Forget(string clientId)
    {
        if (_holders.TryGetValue(clientId, out var holder) && holder.Backed)
        {
            _holders.Remove(clientId);
        }

        _orphans.Remove(clientId);
        _retrying.Remove(clientId);
        return Task.CompletedTask;
    }

    public Task<SessionPage> Query(SessionQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Task.FromResult(query.Answer(_holders.Select(h => new SessionDirectoryEntry(h.Key, h.Value.Connection?.Node, h.Value.Backed))));
    }

    public Task<int> Count() => Task.FromResult(_holders.Count);

    public Task<SessionClaim?> Lookup(string clientId) =>
        Task.FromResult(_holders.TryGetValue(clientId, out var holder) ? new SessionClaim(holder.Connection, holder.Backed) : null);

    public async Task ForgetNodes(string[] nodes)
    {
        var gone = new HashSet<string>(nodes, StringComparer.Ordinal);
        var ended = new List<string>();
        foreach (var (clientId, holder) in _holders)
        {
            if (holder.Connection is { } connection && gone.Contains(connection.Node))
            {
                ended.Add(clientId);
            }
        }

        foreach (var clientId in ended)
        {
            if (_holders[clientId].Backed)
            {
                // Its grain detaches the dead connection (will, expiry) when woken; the id stays the grain's.
                _holders[clientId] = new Holder(null, true);
                _orphans.Add(clientId);
            }
            else
            {
                // A clean session ends with its connection.
                _holders.Remove(clientId);
            }
        }

        ScheduleWake();

        // The grains of disconnected sessions that ran on the dead silo ran their will and expiry timers there: the
        // index says when each is due, and the shard wakes them then (waking one that lives elsewhere does nothing).
        // Read into a new queue, so a storage failure leaves the old one (the call is tried again).
        var index = await ReadIndexAsync(CancellationToken.None);
        foreach (var clientId in index.Connected)
        {
            if (_holders.TryGetValue(clientId, out var holder) && holder.Backed && holder.Connection is null)
            {
                // Stored as connected, and this shard does not know where (no node reported it when the shard started):
                // woken, its grain detaches the connection if it was on a dead node.
                _orphans.Add(clientId);
            }
        }

        _due = index.Due;
        LogNodesForgotten(logger, Shard, string.Join(", ", nodes), ended.Count, _due.Count);
        ScheduleWake();
    }

    /// <summary>
    /// Reads the shard's index entries: every stored session's id, those stored as connected, and each disconnected
    /// session with a will or expiry by when it is due.
    /// </summary>
    private async Task<(List<string> Stored, HashSet<string> Connected, PriorityQueue<string, long> Due)> ReadIndexAsync(CancellationToken cancellationToken)
    {
        var stored = new List<string>();
        var connected = new HashSet<string>(StringComparer.Ordinal);
        var due = new PriorityQueue<string, long>();
        await foreach (var entry in storage.ForState().ScanAsync(SessionIndex.Space, SessionIndex.Prefix(Shard), cancellationToken))
        {
            string clientId;
            SessionIndexEntry index;
            try
            {
                clientId = SessionIndex.ClientIdOf(entry.Key);
                index = SessionIndex.Decode(entry.Value);
            }
            catch (RobustMq.Storage.StorageException ex)
            {
                // One bad entry keeps neither the shard from starting nor the others from their wakes.
                LogBadEntry(logger, ex, entry.Key);
                continue;
            }

            stored.Add(clientId);
            if (index.Connected)
            {
                connected.Add(clientId);
            }
            else if (index.DueAtUnixMs != long.MaxValue)
            {
                due.Enqueue(clientId, index.DueAtUnixMs);
            }
        }

        return (stored, connected, due);
    }

    private async Task<DirectoryHolder[]> AskHoldersAsync(string node)
    {
        try
        {
            return await GrainFactory.GetGrain<INodeDispatcherGrain>(node).Holders(Shard).WaitAsync(HoldersTimeout);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Its clients keep their connections; a second CONNECT with one of their ids is not a takeover until that
            // connection ends or claims again.
            LogHoldersFailed(logger, ex, Shard, node);
            return [];
        }
    }

    /// <summary>
    /// Starts waking the orphans now (a task of this activation, which interleaves with calls while it waits), or sets a
    /// one-shot timer for the next due session or the retry of failed wakes.
    /// </summary>
    private void ScheduleWake()
    {
        if (_waking || _deactivating.IsCancellationRequested)
        {
            // The wake under way schedules the next when it ends.
            return;
        }

        _wakeTimer?.Dispose();
        _wakeTimer = null;
        if (_orphans.Count > 0)
        {
            _ = WakeAsync(CancellationToken.None);
            return;
        }

        var next = long.MaxValue;
        if (_retrying.Count > 0)
        {
            next = _retryAt.ToUnixTimeMilliseconds();
        }

        if (_due.TryPeek(out _, out var at))
        {
            next = Math.Min(next, at);
        }

        if (next == long.MaxValue)
        {
            return;
        }

        var dueIn = TimeSpan.FromMilliseconds(Math.Clamp(next - clock.GetUtcNow().ToUnixTimeMilliseconds(), 0, (long)TimeSpan.FromDays(30).TotalMilliseconds));
        _wakeTimer = this.RegisterGrainTimer(WakeAsync, new GrainTimerCreationOptions(dueIn, Timeout.InfiniteTimeSpan) { Interleave = true });
    }

    /// <summary>
    /// Activates the session grains of orphans and of sessions now due (a read of the session does it): each detaches
    /// a dead connection, sends a will that is due and ends an expired session as it loads.
    /// </summary>
    private async Task WakeAsync(CancellationToken cancellationToken)
    {
        if (_waking)
        {
            // A tick queued before its timer was replaced: the wake under way covers it.
            return;
        }

        _waking = true;
        try
        {
            var wake = new List<string>(_orphans);
            _orphans.Clear();
            if (_retrying.Count > 0 && clock.GetUtcNow() >= _retryAt)
            {
                wake.AddRange(_retrying);
                _retrying.Clear();
            }

            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            while (_due.TryPeek(out var clientId, out var at) && at <= now)
            {
                _due.Dequeue();
                if (_holders.TryGetValue(clientId, out var holder) && holder.Backed)
                {
                    wake.Add(clientId);
                }
            }

            string[] dead = [.. _forgotten];
            var failed = new List<string>();
            foreach (var batch in wake.Distinct(StringComparer.Ordinal).Chunk(WakesAtOnce))
            {
                var woken = await Task.WhenAll(batch.Select(clientId => WakeOneAsync(clientId, dead)));
                failed.AddRange(batch.Where((_, i) => !woken[i]));
            }

            if (failed.Count == 0)
            {
                _retryDelay = TimeSpan.Zero;
            }
            else
            {
                // Its grain could not be reached yet (the grain directory of the dead silo is being taken over, a storage
                // outage, a record that cannot be read): tried again after 1 s, doubling up to a minute, for as long as
                // the session holds its id here.
                _retryDelay = _retryDelay == TimeSpan.Zero ? WakeRetryDelay : TimeSpan.FromTicks(Math.Min(_retryDelay.Ticks * 2, MaxWakeRetryDelay.Ticks));
                _retryAt = clock.GetUtcNow() + _retryDelay;
                foreach (var clientId in failed)
                {
                    if (_holders.TryGetValue(clientId, out var holder) && holder.Backed)
                    {
                        _retrying.Add(clientId);
                    }
                }
            }
        }
        finally
        {
            _waking = false;
            ScheduleWake();
        }
    }

    private async Task<bool> WakeOneAsync(string clientId, string[] deadNodes)
    {
        try
        {
            await GrainFactory.GetGrain<ISessionGrain>(clientId).Wake(deadNodes);
            return true;
        }
        catch (Exception ex)
        {
            LogWakeFailed(logger, ex, clientId);
            return false;
        }
    }

    /// <summary>Each silo that membership declares dead: its connections' ids are let go (through a call to this grain).</summary>
    private Task FollowMembershipAsync(CancellationToken cancellationToken)
    {
        var self = this.AsReference<ISessionDirectoryGrain>();
        return DeadNodeFollower.FollowAsync(membership, _forgotten, self.ForgetNodes, ex => LogForgetFailed(logger, ex, Shard), cancellationToken);
    }

    /// <summary>A struct, so an entry costs no object of its own (one per connected clean client).</summary>
    private readonly record struct Holder(ConnectionRef? Connection, bool Backed);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Session directory shard {Shard} started with {Holders} client ids; {Orphans} sessions lost their connection's node, {Due} are due later")]
    private static partial void LogRebuilt(ILogger logger, int shard, int holders, int orphans, int due);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Session directory shard {Shard}: node {Node} did not say which client ids it holds")]
    private static partial void LogHoldersFailed(ILogger logger, Exception ex, int shard, string node);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Error, Message = "The session index entry {Key} cannot be read; its session is not looked after")]
    private static partial void LogBadEntry(ILogger logger, Exception ex, string key);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Warning, Message = "Waking the session of {ClientId} failed; tried again later")]
    private static partial void LogWakeFailed(ILogger logger, Exception ex, string clientId);

    [LoggerMessage(EventId = 2205, Level = LogLevel.Information, Message = "Session directory shard {Shard}: nodes {Nodes} died; {Ended} of their client ids let go, {Due} disconnected sessions to wake when due")]
    private static partial void LogNodesForgotten(ILogger logger, int shard, string nodes, int ended, int due);

    [LoggerMessage(EventId = 2206, Level = LogLevel.Warning, Message = "Session directory shard {Shard}: looking after dead nodes' sessions failed; tried again in 5 s")]
    private static partial void LogForgetFailed(ILogger logger, Exception ex, int shard);
}
