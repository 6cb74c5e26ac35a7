using RobustMq.Abstractions.Sessions;

namespace RobustMq.Grains.Tests.Infrastructure;

/// <summary>
/// Plays the gateway's part for one client id: connects, subscribes and disconnects through the session
/// grain with a connection on a chosen silo, as a connection loop would.
/// </summary>
public sealed class TestClient(ClusterFixture cluster, string clientId)
{
    public const uint PersistentExpiry = 3600;

    public string ClientId { get; } = clientId;

    public ISessionGrain Session { get; } = cluster.Client.GetGrain<ISessionGrain>(clientId);

    /// <summary>The connection attached by the last <see cref="ConnectAsync"/>.</summary>
    public ConnectionRef Connection { get; private set; } = cluster.NewConnection(0);

    public Task<ConnectResult> ConnectAsync(int silo = 0, bool cleanStart = true, uint expiry = PersistentExpiry, WillRecord? will = null)
    {
        Connection = cluster.NewConnection(silo);
        return Session.Connect(new ConnectRequest(Connection, cleanStart, expiry, will, ProtocolVersion: 5, UserName: null, RemoteEndPoint: "127.0.0.1:1"));
    }

    public Task DisconnectAsync(
        DisconnectKind kind = DisconnectKind.Abnormal,
        PendingMessage[]? unacknowledged = null,
        ushort[]? pendingPubRel = null,
        ushort[]? inboundQoS2 = null,
        uint? expiry = null) =>
        Session.Disconnect(new DisconnectRequest(Connection, kind, unacknowledged ?? [], pendingPubRel ?? [], inboundQoS2 ?? [], expiry));

    public Task<bool[]> SubscribeAsync(params SubscriptionRecord[] subscriptions) => Session.Subscribe(Connection, subscriptions);

    public Task<bool[]> SubscribeAsync(string filter, byte qos = 1) => Session.Subscribe(Connection, [new SubscriptionRecord(filter, qos)]);

    public Task<bool[]> UnsubscribeAsync(params string[] filters) => Session.Unsubscribe(Connection, filters);

    /// <summary>
    /// Wait until this client's session has <paramref name="expected"/> messages queued, for work another grain does after
    /// its call has returned (a clean start hands the old session's shared messages on in a later turn). Looks every
    /// 20 ms for at most 10 s; the failure names <paramref name="phase"/>, the expected and the last count.
    /// </summary>
    public async Task WaitForQueuedAsync(int expected, string phase)
    {
        var deadline = TimeSpan.FromSeconds(10);
        var started = TimeProvider.System.GetTimestamp();
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var actual = (await Session.GetInfo()).QueuedMessages;
        while (actual != expected)
        {
            if (TimeProvider.System.GetElapsedTime(started) > deadline)
            {
                throw new TimeoutException($"{phase}: {ClientId} has {actual} messages queued after {deadline.TotalSeconds} s, expected {expected}.");
            }

            await poll.WaitForNextTickAsync();
            actual = (await Session.GetInfo()).QueuedMessages;
        }
    }
}
