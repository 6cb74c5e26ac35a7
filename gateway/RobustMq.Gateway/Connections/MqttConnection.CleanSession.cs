using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Channel;

namespace RobustMq.Gateway.Connections;

/// <summary>
/// A clean session (session expiry 0) lives and ends with its connection, so the connection serves it alone:
/// it claims the client id in the session directory (takeover stays cluster-wide), keeps its subscriptions
/// and routes (<see cref="SessionRoutes"/>, as a session grain does) and publishes its own will. No session grain
/// activation is held for it, which halves the cost of a CONNECT and keeps an idle connection small. A client
/// id that a session grain holds state for still goes through that grain.
/// </summary>
public sealed partial class MqttConnection
{
    private static readonly object Released = new();

    /// <summary>Set when this connection serves a clean session itself; null when a session grain does.</summary>
    private SessionRoutes? _clean;
    private WillRecord? _cleanWill;
    private SubscriptionRecord[] _subscribed = [];

    /// <summary>null, a waiter's completion source, or <see cref="Released"/>.</summary>
    private object? _released;

    /// <summary>
    /// Set when a session grain holds this connection's session (one that outlives it, or a stored one it ends): the
    /// connection serves its subscriptions all the same, and stores them (<see cref="ISessionStore.SaveSubscriptionsAsync"/>)
    /// for the grain, which takes them back when the connection ends.
    /// </summary>
    private SessionRoutes? _persistent;

    private bool ServesCleanSession => _clean is not null;

    /// <summary>
    /// Whether this connection holds its client id in the session directory: its claim was answered (a clean session it
    /// serves itself), or its session grain answered its CONNECT. One whose claim is still on its way is not counted: the
    /// claim itself reaches the directory.
    /// </summary>
    internal bool HoldsClientId => _clean is not null || _persistent is not null;

    /// <summary>Whether the connection is closing (its client disconnected, or the server closes it).</summary>
    internal bool IsClosing => _closing;

    /// <summary>Whether a session grain holds this connection's session (one that outlives it, or a stored one it ends).</summary>
    internal bool ServedByGrain => _persistent is not null;

    /// <summary>The subscriptions this connection serves (null before its CONNECT is answered).</summary>
    private SessionRoutes? Routes => _clean ?? _persistent;

    /// <summary>
    /// Completes once the connection no longer touches its session's routes and subscriptions (a takeover waits for
    /// this before it reads them); at once for one that serves none.
    /// </summary>
    internal Task WhenReleased()
    {
        if (Routes is null)
        {
            return Task.CompletedTask;
        }

        while (true)
        {
            var current = Volatile.Read(ref _released);
            if (ReferenceEquals(current, Released))
            {
                return Task.CompletedTask;
            }

            if (current is TaskCompletionSource waiting)
            {
                return waiting.Task;
            }

            var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (Interlocked.CompareExchange(ref _released, created, null) is null)
            {
                return created.Task;
            }
        }
    }

    private void MarkReleased() => (Interlocked.Exchange(ref _released, Released) as TaskCompletionSource)?.TrySetResult();

    internal SessionInfo? DescribeCleanSession() => ServesCleanSession && ClientId is { } clientId && _connected
        ? new SessionInfo(clientId, true, true, Ref.Node, 0, Volatile.Read(ref _subscribed), 0, (byte)_version, _userName)
        : null;

    /// <summary>
    /// Claims the client id for a clean session: true when this connection now serves it (an older holder was
    /// closed with 0x8E and has let go of its routes), false when a session grain holds state for the id.
    /// </summary>
    private async Task<bool> TryClaimCleanSessionAsync(string clientId, WillRecord? will)
    {
        // Bare grain calls on the CONNECT path: bounded by the silo's response timeout (GrainCallTimeout), which
        // costs no timer per call as WaitAsync does (a timer per CONNECT showed in the connect profile).
        var claim = await _services.Directory(clientId).Claim(clientId, Ref, backed: false);
        if (claim.Backed)
        {
            return false;
        }

        _clean = new SessionRoutes(_services.Grains, _services.ShardWriter, clientId);
        _cleanWill = will;
        if (claim.Previous is { } previous && !_services.DeadNodes.Contains(previous.Node))
        {
            // MQTT-3.1.4-3: the existing connection is closed with 0x8E; it publishes its own will as it ends. One on a
            // node that died is gone already; one on a node that cannot be reached but is not declared dead yet fails
            // this CONNECT (the client tries again; by then the node is declared dead, in a few seconds).
            await _services.Grains.GetGrain<INodeDispatcherGrain>(previous.Node).Close(previous, 0x8E).WaitAsync(_services.GrainTimeout);
        }

        return true;
    }

    private async Task<bool[]> SubscribeSessionAsync(SubscriptionRecord[] records)
    {
        var routes = Routes ?? throw new InvalidOperationException("SUBSCRIBE before the session was attached");
        bool[] existed;
        if (_persistent is not null)
        {
            // Stored first, then routed: a subscription with a record is one the grain knows when it takes the session
            // back (and a restart restores), whatever becomes of the routes. Neither wait gives way to the connection's
            // close: the session is handed back only once both are done (a route the grain does not know would stay).
            await _services.SessionStore.SaveSubscriptionsAsync(ClientId!, records, []).WaitAsync(_services.GrainTimeout);
            existed = await routes.SubscribeAsync(Ref.Node, records).WaitAsync(_services.GrainTimeout);
        }
        else
        {
            existed = await routes.SubscribeAsync(Ref.Node, records).WaitAsync(_services.GrainTimeout, _closed.Token);
        }

        Volatile.Write(ref _subscribed, [.. routes.Subscriptions.Values]);
        return existed;
    }

    private async Task<bool[]> UnsubscribeSessionAsync(string[] filters)
    {
        var routes = Routes ?? throw new InvalidOperationException("UNSUBSCRIBE before the session was attached");
        bool[] existed;
        if (_persistent is not null)
        {
            // Routes first, then the records: a record without its route is harmless (the grain removes what it knows).
            existed = await routes.UnsubscribeAsync(Ref.Node, filters).WaitAsync(_services.GrainTimeout);
            await _services.SessionStore.SaveSubscriptionsAsync(ClientId!, [], [.. filters.Where((_, i) => existed[i])]).WaitAsync(_services.GrainTimeout);
        }
        else
        {
            existed = await routes.UnsubscribeAsync(Ref.Node, filters).WaitAsync(_services.GrainTimeout, _closed.Token);
        }

        Volatile.Write(ref _subscribed, [.. routes.Subscriptions.Values]);
        return existed;
    }

    /// <summary>What this client will not get (its session ended, or it left a shared subscription): shared subscriptions' messages go to another member, the rest are counted as dropped.</summary>
    private async Task HandOnOwedAsync(PendingMessage[] owed)
    {
        if (owed.Length == 0 || ClientId is not { } clientId)
        {
            return;
        }

        try
        {
            await _services.Router.HandOnOwedAsync(clientId, owed).AsTask().WaitAsync(_services.GrainTimeout);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogGrainCallFailed(_services.Logger, ex, Ref.ConnectionId, clientId, "hand on shared subscription messages");
        }
    }

    /// <summary>The end of a clean session: its routes go, its will is published unless it disconnected normally, its id is freed.</summary>
    private async Task EndCleanSessionAsync(SessionRoutes clean, string clientId)
    {
        try
        {
            await clean.RemoveAllAsync(Ref.Node).WaitAsync(_services.GrainTimeout);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogGrainCallFailed(_services.Logger, ex, Ref.ConnectionId, clientId, "remove routes");
        }

        MarkReleased();
        if (_cleanWill is { } will && DisconnectDecision.PublishesWill(_endKind))
        {
            try
            {
                await _services.Router.PublishAsync(will.PublishedAt(_services.Clock.GetUtcNow().ToUnixTimeMilliseconds()));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogGrainCallFailed(_services.Logger, ex, Ref.ConnectionId, clientId, "publish will");
            }
        }

        try
        {
            await _services.Directory(clientId).Release(clientId, Ref);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogGrainCallFailed(_services.Logger, ex, Ref.ConnectionId, clientId, "release client id");
        }
    }
}
