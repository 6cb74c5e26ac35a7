using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Connections;
using RobustMq.Gateway.Hosting;
using RobustMq.Protocol.Packets;

namespace RobustMq.Gateway.Nodes;

/// <summary>A connected client's session as its node sees it (<see cref="INodeControlGrain.Sessions"/>).</summary>
[GenerateSerializer, Immutable, Alias("robustmq.sessionstats")]
public sealed record SessionStats(
    [property: Id(0)] string ClientId,
    [property: Id(1)] string Node,
    [property: Id(2)] DateTimeOffset? ConnectedAt,
    [property: Id(3)] int Inflight,
    [property: Id(4)] int Subscriptions,
    [property: Id(5)] uint ExpirySeconds);

/// <summary>
/// What the admin API asks a node to do to, or tell of, its own connections beyond <see cref="NodeReports"/>: session
/// figures, and SUBSCRIBE / UNSUBSCRIBE on a client's behalf (run by its connection, <see cref="MqttConnection.SubscribeOnBehalf"/>).
/// </summary>
public sealed class NodeAdmin(ConnectionRegistry connections, NodeIdentity node)
{
    /// <summary>How long a connection's read loop may take to run work for the API.</summary>
    public static readonly TimeSpan OnBehalfTimeout = TimeSpan.FromSeconds(4);

    /// <summary>How much longer work the loop took just as <see cref="OnBehalfTimeout"/> ran out is waited for.</summary>
    private static readonly TimeSpan StartedGrace = TimeSpan.FromMilliseconds(800);

    /// <summary>The sessions of <paramref name="clientIds"/> whose clients are connected here.</summary>
    public SessionStats[] Sessions(string[] clientIds)
    {
        ArgumentNullException.ThrowIfNull(clientIds);
        var wanted = new HashSet<string>(clientIds, StringComparer.Ordinal);
        var found = new List<SessionStats>();
        foreach (var c in connections.Connections)
        {
            if (Serving(c) && wanted.Contains(c.ClientId!))
            {
                found.Add(new SessionStats(c.ClientId!, node.Name, c.ConnectedAt, c.InflightCount, c.SubscriptionCount, c.SessionExpirySeconds));
            }
        }

        return [.. found];
    }

    /// <summary>
    /// SUBSCRIBE on behalf of <paramref name="clientId"/> if it is connected here: the SUBACK's reason codes (MQTT 5
    /// codes; 3.1.x clients: 0x80 for a failure), null when it is not, or an empty array when its connection did not take
    /// the work within <see cref="OnBehalfTimeout"/> (the work was cancelled: nothing changed).
    /// </summary>
    /// <exception cref="TimeoutException">The connection took the work but did not finish it in time.</exception>
    public async Task<byte[]?> SubscribeAsync(string clientId, SubscriptionRecord[] subscriptions)
    {
        ArgumentNullException.ThrowIfNull(subscriptions);
        var requests = subscriptions.Select(s => new TopicSubscription(s.Filter, (QoS)s.QoS, s.NoLocal, s.RetainAsPublished, (RetainHandling)s.RetainHandling)).ToList();
        return await RunAsync(Find(clientId)?.SubscribeOnBehalf(requests));
    }

    /// <summary>
    /// UNSUBSCRIBE on behalf of <paramref name="clientId"/> if it is connected here: the UNSUBACK's reason codes, null
    /// when it is not, or an empty array when it was cancelled untaken, as <see cref="SubscribeAsync"/>.
    /// </summary>
    /// <exception cref="TimeoutException">The connection took the work but did not finish it in time.</exception>
    public Task<byte[]?> UnsubscribeAsync(string clientId, string[] filters) => RunAsync(Find(clientId)?.UnsubscribeOnBehalf(filters));

    /// <summary>The reason codes, null when there was no connection or it closed first, empty when the work was cancelled untaken.</summary>
    private static async Task<byte[]?> RunAsync(OnBehalfWork? work)
    {
        if (work is null)
        {
            return null;
        }

        try
        {
            try
            {
                return await work.Task.WaitAsync(OnBehalfTimeout);
            }
            catch (TimeoutException) when (work.TryCancel())
            {
                return [];
            }
            catch (TimeoutException)
            {
                // Taken just now: its outcome is the answer.
                return await work.Task.WaitAsync(StartedGrace);
            }
        }
        catch (ConnectionClosedException)
        {
            return null;
        }
    }

    private MqttConnection? Find(string clientId)
    {
        foreach (var c in connections.Connections)
        {
            if (Serving(c) && c.ClientId == clientId)
            {
                return c;
            }
        }

        return null;
    }

    private static bool Serving(MqttConnection c) => c.ClientId is not null && c.ConnectedAt is not null && !c.IsClosing;
}
