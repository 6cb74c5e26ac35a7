using RobustMq.Gateway.Connections;
using RobustMq.Gateway.Hosting;
using RobustMq.Gateway.Metrics;
using RobustMq.Gateway.Routing;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Nodes;

/// <summary>
/// A node's counts for the admin API's overview (<see cref="INodeControlGrain.Report"/>): counters since the node
/// started; <see cref="Sessions"/> of its connected clients; <see cref="Subscriptions"/>, <see cref="Topics"/> (distinct
/// filters) and <see cref="Retained"/> as the node sees the cluster's tables (the same on every node); the rates in
/// messages per second over the last <see cref="NodeReports.RateWindow"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.nodereport")]
public sealed record NodeReport(
    [property: Id(0)] string Node,
    [property: Id(1)] int Connections,
    [property: Id(2)] int Routes,
    [property: Id(3)] long MessagesReceived,
    [property: Id(4)] long MessagesSent,
    [property: Id(5)] long MessagesDropped,
    [property: Id(6)] long BytesReceived,
    [property: Id(7)] long BytesSent,
    [property: Id(8)] long UptimeSeconds,
    [property: Id(9)] int Sessions = 0,
    [property: Id(10)] long Subscriptions = 0,
    [property: Id(11)] long Topics = 0,
    [property: Id(12)] long Retained = 0,
    [property: Id(13)] double MessagesReceivedRate = 0,
    [property: Id(14)] double MessagesSentRate = 0,
    [property: Id(15)] double MessagesDroppedRate = 0);

/// <summary>
/// Which connected clients an admin listing asks a node for: substrings of the client id, user name and peer address
/// (ordinal, case-insensitive; null: any), and how many to send back at most, by client id.
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.clientquery")]
public sealed record ClientQuery(
    [property: Id(0)] string? ClientId,
    [property: Id(1)] string? UserName,
    [property: Id(2)] string? PeerHost,
    [property: Id(3)] int Take);

/// <summary>One connected client as the admin API shows it.</summary>
[GenerateSerializer, Immutable, Alias("robustmq.clientsummary")]
public sealed record ClientSummary(
    [property: Id(0)] string ClientId,
    [property: Id(1)] string? UserName,
    [property: Id(2)] int ProtocolVersion,
    [property: Id(3)] string? PeerAddress,
    [property: Id(4)] int KeepAliveSeconds,
    [property: Id(5)] bool CleanStart,
    [property: Id(6)] uint SessionExpirySeconds,
    [property: Id(7)] DateTimeOffset? ConnectedAt,
    [property: Id(8)] string Node);

/// <summary>A node's answer to a <see cref="ClientQuery"/>: how many of its clients match, and the first of them by client id.</summary>
[GenerateSerializer, Immutable, Alias("robustmq.clientpage")]
public sealed record ClientPage(
    [property: Id(0)] int Matched,
    [property: Id(1)] ClientSummary[] Clients);

/// <summary>What a node answers about itself to the admin API of any node (through <see cref="INodeControlGrain"/>).</summary>
public sealed class NodeReports : IDisposable
{
    /// <summary>The window the rates of a <see cref="NodeReport"/> are measured over (sampled this often).</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(5);

    private readonly ConnectionRegistry connections;
    private readonly RouteCache routes;
    private readonly BrokerMetrics metrics;
    private readonly MetricsRefresher refresher;
    private readonly NodeIdentity node;
    private readonly TimeProvider clock;
    private readonly DateTimeOffset _started;
    private readonly ITimer _sampler;
    private (long Received, long Sent, long Dropped) _sample;
    private volatile Rates _rates = new(0, 0, 0);

    public NodeReports(ConnectionRegistry connections, RouteCache routes, BrokerMetrics metrics, MetricsRefresher refresher, NodeIdentity node, TimeProvider clock)
    {
        this.connections = connections;
        this.routes = routes;
        this.metrics = metrics;
        this.refresher = refresher;
        this.node = node;
        this.clock = clock;
        _started = clock.GetUtcNow();
        _sample = Counts();
        _sampler = clock.CreateTimer(_ => Sample(), null, RateWindow, RateWindow);
    }

    /// <summary>The node's counts now.</summary>
    public NodeReport Report()
    {
        var (current, _) = refresher.Refresh();
        var (received, sent, dropped) = Counts();
        var rates = _rates;
        return new(
            node.Name,
            connections.Count,
            routes.Count,
            received,
            sent,
            dropped,
            (long)metrics.BytesReceived.Value,
            (long)metrics.BytesSent.Value,
            (long)(clock.GetUtcNow() - _started).TotalSeconds,
            (int)current.Sessions,
            current.Subscriptions,
            current.Topics,
            current.Retained,
            Math.Round(rates.Received, 1),
            Math.Round(rates.Sent, 1),
            Math.Round(rates.Dropped, 1));
    }

    public void Dispose() => _sampler.Dispose();

    private (long Received, long Sent, long Dropped) Counts() =>
        ((long)metrics.MessagesReceived.Value, (long)metrics.MessagesSent.Value, (long)Sum(metrics.MessagesDropped));

    private void Sample()
    {
        var now = Counts();
        var seconds = RateWindow.TotalSeconds;
        _rates = new Rates((now.Received - _sample.Received) / seconds, (now.Sent - _sample.Sent) / seconds, (now.Dropped - _sample.Dropped) / seconds);
        _sample = now;
    }

    /// <summary>The node's connected clients (CONNACK sent) that <paramref name="query"/> selects.</summary>
    public ClientPage Clients(ClientQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var matched = new List<ClientSummary>();
        foreach (var c in connections.Connections)
        {
            if (c.ClientId is { } clientId && c.ConnectedAt is not null && !c.IsClosing
                && Has(clientId, query.ClientId) && Has(c.UserName, query.UserName) && Has(c.RemoteEndPoint, query.PeerHost))
            {
                matched.Add(Summary(c));
            }
        }

        matched.Sort((a, b) => string.CompareOrdinal(a.ClientId, b.ClientId));
        return new ClientPage(matched.Count, [.. matched.Take(Math.Max(0, query.Take))]);
    }

    /// <summary>The client <paramref name="clientId"/> if it is connected here, else null.</summary>
    public ClientSummary? Client(string clientId)
    {
        foreach (var c in connections.Connections)
        {
            if (c.ClientId == clientId && c.ConnectedAt is not null && !c.IsClosing)
            {
                return Summary(c);
            }
        }

        return null;
    }

    /// <summary>Starts closing the client's connection here with 0x98 Administrative action; false when it has none here.</summary>
    public bool Kick(string clientId)
    {
        var found = false;
        foreach (var c in connections.Connections)
        {
            if (c.ClientId == clientId && c.ConnectedAt is not null && !c.IsClosing)
            {
                // Not awaited: a stalled client's close may take its grace period; the answer need not.
                _ = connections.CloseAsync(c.Ref, (byte)ReasonCode.AdministrativeAction);
                found = true;
            }
        }

        return found;
    }

    private ClientSummary Summary(MqttConnection c) =>
        new(c.ClientId!, c.UserName, (int)c.Version, c.RemoteEndPoint, c.KeepAliveSeconds, c.CleanStart, c.SessionExpirySeconds, c.ConnectedAt, node.Name);

    private sealed record Rates(double Received, double Sent, double Dropped);

    private static bool Has(string? value, string? part) =>
        part is not { Length: > 0 } || (value is not null && value.Contains(part, StringComparison.OrdinalIgnoreCase));

    private static double Sum(Prometheus.Counter counter)
    {
        var sum = 0.0;
        foreach (var labels in counter.GetAllLabelValues())
        {
            sum += counter.WithLabels(labels).Value;
        }

        return sum;
    }
}
