using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Metrics;
using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Options;
using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Storage;
using RobustMq.Storage;

namespace RobustMq.Grains.Sessions;

/// <summary>
/// One MQTT session (key: client id). Its state (<see cref="SessionState"/>) is in storage
/// (<see cref="SessionGrain.SessionSpace"/>, <see cref="SessionQueue"/>); while a connection serves the session and no
/// call brings work, this grain is deactivated (see <c>KeepWhileNeeded</c>).
/// </summary>
public sealed partial class SessionGrain(
    IOptions<MqttOptions> options,
    IMessageRouter router,
    TopicShardWriter shardWriter,
    IDropCounter drops,
    StorageEngines storage,
    IClusterMembershipService membership,
    TimeProvider clock,
    ILogger<SessionGrain> logger) : Grain, ISessionGrain
{
    private readonly SessionState _state = new();
    private IGrainTimer? _willTimer;
    private IGrainTimer? _expiryTimer;

    private string ClientId => this.GetPrimaryKeyString();

    public async Task<ConnectResult> Connect(ConnectRequest request)
    {
        _connecting = true;
        _tookOver = false;
        try
        {
            return await ConnectCore(request);
        }
        catch when (_state.Exists && (_state.Connection is null || _tookOver))
        {
            // The new connection is refused, and the old one was closed (or is gone): no connection serves the session
            // now, and none will hand it back, so it is detached here (its expiry starts, and storage says so).
            await DetachAfterFailedConnect();
            throw;
        }
        finally
        {
            _connecting = false;
        }
    }

    /// <summary>Whether the session ends with the connection that sent <paramref name="request"/> (its expiry, as that DISCONNECT left it, is 0).</summary>
    private bool EndsWith(DisconnectRequest request) => (request.SessionExpirySeconds ?? _state.ExpirySeconds) == 0;

    // Whether the Connect under way closed the session's old connection (or found it gone).
    private bool _tookOver;

    private async Task DetachAfterFailedConnect()
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        _state.Connection = null;
        _state.Detach();
        if (_state.DisconnectedAtUnixMs == 0)
        {
            _state.DisconnectedAtUnixMs = now;
        }

        if (_state.ExpirySeconds != uint.MaxValue && _expiryTimer is null)
        {
            // The CONNECT stopped the timers; the expiry counts from when the last connection ended.
            var left = TimeSpan.FromMilliseconds(Math.Max(0, _state.DisconnectedAtUnixMs + (_state.ExpirySeconds * 1000L) - now));
            _expiryTimer = this.RegisterGrainTimer(OnExpired, new GrainTimerCreationOptions(left, Timeout.InfiniteTimeSpan));
        }

        KeepWhileNeeded();
        try
        {
            await Persist(static () => { });
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Storage is what failed the CONNECT, likely: the next activation finds the old connection gone then.
            LogDetachNotStored(logger, ex, ClientId);
        }
    }

    private async Task<ConnectResult> ConnectCore(ConnectRequest request)
    {
        StopTimers();
        var claim = await SessionDirectory.For(GrainFactory, ClientId).Claim(ClientId, request.Connection, backed: true);
        if (claim.Previous is { } served && !claim.Backed)
        {
            // The id was held by a clean-session connection (served without a grain): closed with 0x8E, and
            // awaited until it let go of its routes (it publishes its own will).
            await CloseConnection(served, 0x8E);
        }

        // How the connection taken over had ended, when its client had ended it already (a DISCONNECT this CONNECT overtook).
        DisconnectRequest? endedByClient = null;
        if (_state.Connection is { } old)
        {
            // MQTT-3.1.4-3: the existing connection is closed with 0x8E; its will (if undelayed) is published.
            var takeover = await TakeOverConnection(old);
            _tookOver = true;
            if (!takeover.Closed)
            {
                // It is gone without having handed the session back (the hand-back failed, or its node died): what it
                // had and its client did not acknowledge is in storage. Should its hand-back come after all, it leaves
                // these out.
                TakenFrom(old, await RecoverOrphans());
            }
            else if (takeover.HandBack is { } back)
            {
                if (back.Kind is DisconnectKind.Normal or DisconnectKind.NormalWithWill)
                {
                    endedByClient = back;
                }

                // What it owed its client, with the packet ids it was sent under: the new connection sends it again
                // under them (MQTT-4.4.0-1), so a QoS 2 message the client has already is known as one.
                if (takeover.AlsoToGrain)
                {
                    // It ended as the takeover came and is handing the same to this grain: that call leaves these out.
                    TakenFrom(old, back.Unacknowledged);
                }

                await Persist(
                    () =>
                    {
                        _state.ReturnUnacknowledged(back.Unacknowledged);
                        _state.PendingPubRel.UnionWith(back.PendingPubRel);
                        _state.InboundQoS2.UnionWith(back.InboundQoS2);
                    },
                    record: false);
            }

            // The subscriptions and inbound QoS 2 ids as that connection left them in storage (the close waited until
            // it let go of the session; when it could not hand over in time, its own hand-back comes after this call).
            await ReloadSubscriptions();
            await ReloadInbound();

            var oldWill = _state.Will;
            _state.Will = null;
            // A DISCONNECT with 0x00 discards the will (MQTT-3.1.2-10); one with another reason, or a takeover, sends it
            // unless it is delayed (the delay outlasts the session only if the session goes on, which it does here).
            // A session that ends now (a clean start, or the expiry 0 that DISCONNECT left) sends a delayed will too:
            // the will goes out at the earlier of its delay and the session's end (MQTT 5 3.1.3.2.2).
            var endsNow = request.CleanStart || (endedByClient is not null && EndsWith(endedByClient));
            var sendWill = endedByClient is null
                ? oldWill?.DelaySeconds == 0 || endsNow
                : endedByClient.Kind == DisconnectKind.NormalWithWill && (oldWill?.DelaySeconds == 0 || endsNow);
            if (oldWill is not null && sendWill)
            {
                await PublishWill(oldWill);
            }
        }
        else if (_state.Will is { } pending)
        {
            // A new connection before the will delay passed: the will is not sent (MQTT 3.1.3.2.2), unless a clean start
            // ends the session now, which is when the will is due at the latest.
            _state.Will = null;
            if (request.CleanStart)
            {
                await PublishWill(pending);
            }
        }

        // A session with expiry 0 ended with the connection its client disconnected (MQTT 5 3.1.2.11.2): this
        // CONNECT, which overtook that DISCONNECT, starts a new one as after a clean start.
        var sessionEnded = endedByClient is not null && EndsWith(endedByClient);
        var present = _state.Exists && !request.CleanStart && !sessionEnded;
        PendingMessage[] discarded = [];
        StorageBatch? ended = null;
        if (_state.Exists && (request.CleanStart || sessionEnded))
        {
            // MQTT-3.1.2-4: the old session ends; what it owed through a shared subscription goes to another member.
            // Its records go in the same write as the new session's (one atomic batch, one sync).
            await RemoveAllRoutes();
            var sideRecords = await StoredSideRecords();
            ended = Record(() =>
            {
                discarded = _state.TakeOwed();
                _state.Clear();
                _state.DeleteRecords(sideRecords);
            });
        }

        var oldNode = _state.Node;
        var nodeChanged = present && oldNode is not null && oldNode != request.Connection.Node;
        var readerChanged = present && _state.UserName != request.UserName;
        _state.Exists = true;
        _state.Connection = request.Connection;
        // A session that ended (clean start, or expiry 0) takes nothing from a stale hand-back of the old one.
        _state.StartedClean = request.CleanStart || sessionEnded;
        _state.Node = request.Connection.Node;
        _state.ExpirySeconds = request.SessionExpirySeconds;
        _state.Will = request.Will;
        _state.ProtocolVersion = request.ProtocolVersion;
        _state.UserName = request.UserName;
        if (nodeChanged)
        {
            await MoveRoutes(oldNode!, request.Connection.Node);
        }

        if (readerChanged)
        {
            // The ACL read checks were decided for the user who subscribed.
            await Routes.CheckReadsAsAsync(request.Connection.Node, request.UserName);
        }

        ConnectResult? result = null;
        try
        {
            await Persist(Attach, into: ended);
        }
        catch
        {
            // Not stored: the connection is not attached (it refuses its client with 0x88), and what Attach handed it
            // stays this session's for the next CONNECT.
            if (result is { } taken)
            {
                _state.ReturnUnacknowledged(taken.Pending);
                _state.PendingPubRel.UnionWith(taken.PendingPubRel);
                _state.InboundQoS2.UnionWith(taken.InboundQoS2);
            }

            _state.Connection = null;
            _state.Detach();
            throw;
        }

        // After the result: a slow hand-on must not hold the CONNACK past the connection's grain-call timeout.
        HandOnAfterThisCall(discarded);
        _connecting = false;
        KeepWhileNeeded();
        return result!;

        void Attach()
        {
            var pending = _state.TakePending(clock.GetUtcNow().ToUnixTimeMilliseconds(), out var expired);
            drops.Dropped(DropReasons.Expired, expired);
            // A persistent session on a store that survives a crash keeps its deliveries there while connected too.
            var stores = _state.QueueKeyPrefix is not null && _state.ExpirySeconds > 0 && Store.Sync.SurvivesProcessCrash;
            if (readerChanged)
            {
                // CheckReadsAsAsync re-decided every subscription's read check for the new user name.
                _state.SaveSubscriptions(_state.Subscriptions.Values, []);
            }

            result = new ConnectResult(present, pending, [.. _state.PendingPubRel], [.. _state.InboundQoS2], _state.AttachConnection(stores), [.. _state.Subscriptions.Values]);
            _state.PendingPubRel.Clear();
            _state.InboundQoS2.Clear();
            _state.DisconnectedAtUnixMs = 0;
        }
    }

    public async Task Disconnect(DisconnectRequest request)
    {
        if (_state.Connection != request.Connection)
        {
            // A stale connection (taken over): what it still owed goes to the current one, unless that
            // one started clean (the old session ended with what it owed).
            // Those loaded from their records when it was found gone (RecoverOrphans), and those its takeover took
            // (TakeOver, when this call was already on its way), are not taken twice.
            PendingMessage[]? taken = null;
            _takenFrom?.Remove(request.Connection, out taken);
            var unacknowledged = taken is null
                ? request.Unacknowledged
                : Array.FindAll(request.Unacknowledged, m => Array.FindIndex(taken, t => SessionState.SameDelivery(t, m)) < 0);
            if (!_state.StartedClean)
            {
                await Enqueue(unacknowledged);
            }
            else
            {
                await Persist(
                    () =>
                    {
                        foreach (var message in unacknowledged)
                        {
                            _state.Refused(message);
                        }
                    },
                    record: false);
                await HandOnOwed([.. unacknowledged.Where(static m => !m.Released)]);
            }

            return;
        }

        // The session comes back from its connection, which served SUBSCRIBE and UNSUBSCRIBE in storage.
        await ReloadSubscriptions();
        var will = _state.Will;
        await Persist(() =>
        {
            _state.Connection = null;
            _state.Detach();
            _state.DisconnectedAtUnixMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
            _state.ReturnUnacknowledged(request.Unacknowledged);
            _state.PendingPubRel.UnionWith(request.PendingPubRel);
            _state.InboundQoS2.UnionWith(request.InboundQoS2);
            if (request.SessionExpirySeconds is { } expiry)
            {
                _state.ExpirySeconds = expiry;
            }

            if (request.Kind == DisconnectKind.Normal)
            {
                _state.Will = null;
                will = null;
            }
            else if (will is not null && Math.Min(will.DelaySeconds, _state.ExpirySeconds) == 0)
            {
                // Sent just below: stored without it, so no later activation sends it again (at most once on a crash).
                _state.Will = null;
            }
        });

        if (_state.ExpirySeconds == 0)
        {
            _state.Will = null;
            if (will is not null)
            {
                await PublishWill(will);
            }

            await EndSession();
            return;
        }

        if (will is not null)
        {
            // The will goes out at min(will delay, session expiry).
            var delay = Math.Min(will.DelaySeconds, _state.ExpirySeconds);
            if (delay == 0)
            {
                _state.Will = null;
                await PublishWill(will);
            }
            else
            {
                _willTimer = this.RegisterGrainTimer(OnWillDelayElapsed, new GrainTimerCreationOptions(TimeSpan.FromSeconds(delay), Timeout.InfiniteTimeSpan));
            }
        }

        if (_state.ExpirySeconds != uint.MaxValue)
        {
            _expiryTimer = this.RegisterGrainTimer(OnExpired, new GrainTimerCreationOptions(TimeSpan.FromSeconds(_state.ExpirySeconds), Timeout.InfiniteTimeSpan));
        }

        KeepWhileNeeded();
    }

    public async Task<SessionInfo> GetInfo()
    {
        if (!_state.Exists && await CleanSessionConnection() is { } clean)
        {
            // A clean session is served by its connection alone: that connection describes it.
            return await GrainFactory.GetGrain<INodeDispatcherGrain>(clean.Node).Describe(clean) ?? NoSession();
        }

        if (_state.Connection is not null)
        {
            // Its connection serves the subscriptions.
            await ReloadSubscriptions();
        }

        KeepWhileNeeded();
        return _state.Exists ? new SessionInfo(
            ClientId,
            _state.Exists,
            _state.Connection is not null,
            _state.Node,
            _state.ExpirySeconds,
            [.. _state.Subscriptions.Values],
            _state.Queue.Count,
            _state.ProtocolVersion,
            _state.UserName) : NoSession();
    }

    public async Task<bool> Kick()
    {
        if (_state.Connection is { } connection)
        {
            return await CloseConnection(connection, 0x98);
        }

        return await CleanSessionConnection() is { } clean && await CloseConnection(clean, 0x98);
    }

    public async Task<bool> Discard()
    {
        if (!_state.Exists)
        {
            // A clean session ends with its connection.
            return await Kick();
        }

        // The session ends in this turn, connected or not, before its connection is closed: a CONNECT ordered after
        // this call finds no session (Session Present 0), and the connection's own DISCONNECT, when it crossed this
        // call (a Session Expiry Interval to keep the session), or the hand-back of the close below, finds it stale:
        // what it owed is handed on, and its expiry changes nothing. Its will goes out now, as at expiry.
        var connection = _state.Connection;
        if (_state.Will is { } will)
        {
            _state.Will = null;
            await PublishWill(will);
        }

        await EndSession();
        if (connection is not null)
        {
            await CloseConnection(connection, 0x98);
        }

        return true;
    }

    private async Task<ConnectionRef?> CleanSessionConnection()
    {
        if (_state.Exists)
        {
            return null;
        }

        // Nothing to keep: this activation only answers a lookup.
        DeactivateOnIdle();
        var holder = await SessionDirectory.For(GrainFactory, ClientId).Lookup(ClientId);
        return holder is { Backed: false } ? holder.Previous : null;
    }

    /// <summary>
    /// Connections a CONNECT took over whose own hand-back (a Disconnect) may still come, and what the takeover took from
    /// them (their hand-back, or their records): that Disconnect leaves those out. A few at most (the oldest go).
    /// </summary>
    private Dictionary<ConnectionRef, PendingMessage[]>? _takenFrom;

    private void TakenFrom(ConnectionRef connection, PendingMessage[] taken)
    {
        if (taken.Length == 0)
        {
            return;
        }

        _takenFrom ??= [];
        if (_takenFrom.Count >= 8)
        {
            _takenFrom.Remove(_takenFrom.Keys.First());
        }

        _takenFrom[connection] = taken;
    }

    private SessionInfo NoSession()
    {
        DeactivateOnIdle();
        return new SessionInfo(ClientId, false, false, null, 0, [], 0, 0, null);
    }

    public async Task Wake(string[] deadNodes)
    {
        if (!_state.Exists)
        {
            // Ended meanwhile.
            DeactivateOnIdle();
            return;
        }

        if (_state.Connection is not { } connection || !IsGone(connection.Node, deadNodes))
        {
            // Activating it did the rest: timers for what is due, a stored connection on a dead node detached.
            KeepWhileNeeded();
            return;
        }

        // Its connection's node died (a gateway silo, while this grain's silo lives): nothing will come back from it.
        // What it had stored and its client did not acknowledge comes back from storage, as when a takeover finds the
        // connection gone; a hand-back that comes after all leaves these out.
        TakenFrom(connection, await RecoverOrphans());
        await ReloadInbound();
        await Disconnect(new DisconnectRequest(connection, DisconnectKind.Abnormal, [], [], []));
    }

    /// <summary>
    /// Whether <paramref name="node"/> is gone: one of <paramref name="deadNodes"/>, declared dead, or not in membership at
    /// all (a silo of an earlier start, its entry cleaned up).
    /// </summary>
    private bool IsGone(string node, string[] deadNodes) =>
        Array.IndexOf(deadNodes, node) >= 0 || StatusOf(node) is SiloStatus.Dead or SiloStatus.None;

    private async Task OnWillDelayElapsed(CancellationToken cancellationToken)
    {
        _willTimer?.Dispose();
        _willTimer = null;
        if (_state.Will is { } will && _state.Connection is null)
        {
            await Persist(() => _state.Will = null);
            await PublishWill(will);
        }
    }

    private async Task OnExpired(CancellationToken cancellationToken)
    {
        StopTimers();
        if (_state.Connection is not null)
        {
            return;
        }

        if (_state.Will is { } will)
        {
            _state.Will = null;
            await PublishWill(will);
        }

        await EndSession();
    }

    private async Task PublishWill(WillRecord will)
    {
        try
        {
            await router.PublishAsync(will.PublishedAt(clock.GetUtcNow().ToUnixTimeMilliseconds()));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogWillFailed(logger, ex, ClientId, will.Message.Topic);
        }
    }

    private async Task EndSession()
    {
        StopTimers();
        await RemoveAllRoutes();
        PendingMessage[] owed = [];
        var sideRecords = await StoredSideRecords();
        await Persist(() =>
        {
            owed = _state.TakeOwed();
            _state.Clear();
            _state.DeleteRecords(sideRecords);
        });
        await SessionDirectory.For(GrainFactory, ClientId).Forget(ClientId);
        await HandOnOwed(owed);
        DeactivateOnIdle();
    }

    private void StopTimers()
    {
        _willTimer?.Dispose();
        _willTimer = null;
        _expiryTimer?.Dispose();
        _expiryTimer = null;
    }

    /// <summary>
    /// Closes the session's connection for a new CONNECT (0x8E) and takes what it owed its client
    /// (<see cref="INodeDispatcherGrain.TakeOver"/>); not closed when its node could not be reached.
    /// </summary>
    private async Task<TakeoverResult> TakeOverConnection(ConnectionRef connection)
    {
        try
        {
            return await GrainFactory.GetGrain<INodeDispatcherGrain>(connection.Node).TakeOver(connection);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCloseFailed(logger, ex, ClientId, connection.Node);
            return new TakeoverResult(false, null);
        }
    }

    private async Task<bool> CloseConnection(ConnectionRef connection, byte reasonCode)
    {
        try
        {
            return await GrainFactory.GetGrain<INodeDispatcherGrain>(connection.Node).Close(connection, reasonCode);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCloseFailed(logger, ex, ClientId, connection.Node);
            return false;
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Publishing the will of {ClientId} to {Topic} failed")]
    private static partial void LogWillFailed(ILogger logger, Exception ex, string clientId, string topic);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "The session of {ClientId} has no connection after a refused CONNECT, and storing that failed")]
    private static partial void LogDetachNotStored(ILogger logger, Exception ex, string clientId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Closing the old connection of {ClientId} on {Node} failed")]
    private static partial void LogCloseFailed(ILogger logger, Exception ex, string clientId, string node);
}
