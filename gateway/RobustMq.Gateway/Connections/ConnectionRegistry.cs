using System.Collections.Concurrent;
using RobustMq.Gateway.Nodes;
using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Hosting;

namespace RobustMq.Gateway.Connections;

/// <summary>
/// The live connections of this node: by client id for delivery and by connection id for server-side
/// closes. One heartbeat timer checks every connection's CONNECT timeout and keep-alive.
/// </summary>
public sealed class ConnectionRegistry(NodeIdentity node, TimeProvider clock) : ILocalDelivery, IDisposable
{
    private readonly ConcurrentDictionary<string, MqttConnection> _byClient = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, MqttConnection> _all = new();
    private long _nextId;
    private ITimer? _heartbeat;
    private volatile bool _stopping;

    public int Count => _byClient.Count;

    public IEnumerable<MqttConnection> Connections => _all.Values;

    /// <summary>The node is shutting down: a connection that arrives now is closed at once.</summary>
    public bool IsStopping => _stopping;

    public ConnectionRef NewRef() => new(node.Name, Interlocked.Increment(ref _nextId));

    /// <summary>Track a new network connection (before CONNECT) for the heartbeat.</summary>
    public void Track(MqttConnection connection)
    {
        _all[connection.Ref.ConnectionId] = connection;
        _heartbeat ??= clock.CreateTimer(static s => ((ConnectionRegistry)s!).Beat(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>The client id is now served by this connection (an older local one is replaced).</summary>
    public void Attach(string clientId, MqttConnection connection) => _byClient[clientId] = connection;

    /// <summary>
    /// The connection no longer takes deliveries for its client id; it stays findable by <see cref="CloseAsync"/> (a
    /// takeover then waits for it to let go of its session) until <see cref="Forget"/>.
    /// </summary>
    public void ForgetClient(MqttConnection connection)
    {
        if (connection.ClientId is { } clientId)
        {
            _byClient.TryRemove(new KeyValuePair<string, MqttConnection>(clientId, connection));
        }
    }

    public void Forget(MqttConnection connection)
    {
        _all.TryRemove(connection.Ref.ConnectionId, out _);
        if (connection.ClientId is { } clientId)
        {
            _byClient.TryRemove(new KeyValuePair<string, MqttConnection>(clientId, connection));
        }
    }

    public LocalDelivery TryDeliver(string clientId, PendingMessage message, out Task stored)
    {
        if (_byClient.TryGetValue(clientId, out var connection))
        {
            return connection.TryDeliver(message, out stored);
        }

        stored = Task.CompletedTask;
        return LocalDelivery.NotConnected;
    }

    public Task WaitForRoomAsync(string clientId, CancellationToken cancellationToken) =>
        _byClient.TryGetValue(clientId, out var connection) ? connection.WaitForRoomAsync(cancellationToken) : Task.CompletedTask;

    public bool IsConnected(string clientId) => _byClient.ContainsKey(clientId);

    public async Task<bool> CloseAsync(ConnectionRef connection, byte reasonCode)
    {
        if (!_all.TryGetValue(connection.ConnectionId, out var live))
        {
            return false;
        }

        ForgetClient(live);
        live.CloseFromServer(reasonCode);
        // Bounded: a connection ends within about 5 s (its final flush), less than a grain call's timeout.
        await live.WhenReleased().WaitAsync(MqttConnection.CloseGrace, clock, CancellationToken.None)
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return true;
    }

    public async Task<TakeoverResult> TakeOverAsync(ConnectionRef connection)
    {
        if (!_all.TryGetValue(connection.ConnectionId, out var live))
        {
            return new TakeoverResult(false, null);
        }

        ForgetClient(live);
        var handBack = live.TakeOver(out var alsoToGrain);
        try
        {
            // Bounded as a close is (CloseAsync): past it, the connection hands its session back to the grain itself.
            var owed = await handBack.Task.WaitAsync(MqttConnection.CloseGrace, clock, CancellationToken.None).ConfigureAwait(false);
            return new TakeoverResult(true, owed, alsoToGrain);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // Past the bound (or a takeover before this one stopped waiting): the connection hands back to the grain.
            handBack.TrySetCanceled();
            return new TakeoverResult(true, handBack.Task.IsCompletedSuccessfully ? handBack.Task.Result : null);
        }
    }

    /// <summary>
    /// Server shutdown: every connection is closed from the server, with DISCONNECT <paramref name="reasonCode"/> on
    /// MQTT 5 (0x8B, MQTT 4.13), and its session handed back while grains still serve. Completes when all are,
    /// or after <paramref name="timeout"/>; connections that arrive meanwhile are closed as they come.
    /// </summary>
    /// <returns>How many connections were closed.</returns>
    public async Task<int> CloseAllAsync(byte reasonCode, TimeSpan timeout)
    {
        _stopping = true;
        var ending = new List<Task>();
        foreach (var connection in _all.Values)
        {
            ForgetClient(connection);
            connection.CloseFromServer(reasonCode);
            ending.Add(connection.WhenHandedBack());
        }

        await Task.WhenAll(ending).WaitAsync(timeout, clock, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return ending.Count;
    }

    public SessionInfo? Describe(ConnectionRef connection) =>
        _all.TryGetValue(connection.ConnectionId, out var live) ? live.DescribeCleanSession() : null;

    /// <summary>
    /// Every client id a connection here holds in directory shard <paramref name="directoryShard"/>: its claim was
    /// answered (<see cref="MqttConnection.HoldsClientId"/>). One whose claim is on its way is left out, so a shard that
    /// starts while a second connection claims an id takes the first as the holder, and the claim closes it.
    /// </summary>
    public DirectoryHolder[] Holders(int directoryShard)
    {
        // Every open connection, not only the one a client id delivers to: a second CONNECT on this node replaces the
        // first there before its claim, and the first holds the id until the claim closes it. One that is closing has let
        // go of it (or is being taken over); of two that hold an id, the newer.
        var held = new Dictionary<string, DirectoryHolder>(StringComparer.Ordinal);
        foreach (var connection in _all.Values)
        {
            if (connection.ClientId is { } clientId && connection.HoldsClientId && !connection.IsClosing && SessionDirectory.ShardOf(clientId) == directoryShard
                && (!held.TryGetValue(clientId, out var other) || other.Connection.ConnectionId < connection.Ref.ConnectionId))
            {
                held[clientId] = new DirectoryHolder(clientId, connection.Ref, connection.ServedByGrain);
            }
        }

        return [.. held.Values];
    }

    public void Dispose() => _heartbeat?.Dispose();

    private void Beat()
    {
        var now = clock.GetTimestamp();
        foreach (var connection in _all.Values)
        {
            connection.CheckTimeouts(now);
        }
    }
}
