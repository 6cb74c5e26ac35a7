using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Routing;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Connections;
using RobustMq.Gateway.Hosting;
using RobustMq.Gateway.Metrics;
using RobustMq.Gateway.Routing;

namespace RobustMq.Gateway.Sys;

/// <summary>
/// Client events as EMQX and RobustMQ publish them: <c>$SYS/brokers/{node}/clients/{clientid}/connected</c>,
/// <c>disconnected</c>, <c>subscribed</c>, <c>unsubscribed</c>, JSON, QoS 0, not retained, at once. A connection only
/// hands an event to a bounded queue (<see cref="Capacity"/>; one past it is dropped and counted in
/// <c>robustmq_sys_events_dropped_total</c>); a background task writes the JSON and publishes it, and only when some
/// subscription matches the topic. Off with <c>Sys:ClientEvents=false</c> (then a connection pays one field read).
/// </summary>
/// <remarks>
/// Fields (EMQX's): connected <c>{clientid, username, ipaddress, proto_name, proto_ver, keepalive, clean_start,
/// expiry_interval, connected_at (ms), ts (ms)}</c>; disconnected <c>{clientid, username, ipaddress, reason,
/// disconnected_at, ts}</c>; subscribed/unsubscribed <c>{clientid, username, topic, opts: {qos, nl, rap, rh}, ts}</c>.
/// </remarks>
public sealed partial class SysClientEvents : BackgroundService
{
    /// <summary>Events waiting to be published at most.</summary>
    public const int Capacity = 10_000;

    private readonly Channel<ClientEvent>? _events;
    private readonly IMessageRouter _router;
    private readonly RouteCache _routes;
    private readonly NodeIdentity _node;
    private readonly BrokerMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly ILogger<SysClientEvents> _logger;
    private readonly List<RouteEntry> _matches = [];

    public SysClientEvents(IMessageRouter router, RouteCache routes, NodeIdentity node, BrokerMetrics metrics, IOptions<SysOptions> options, TimeProvider clock, ILogger<SysClientEvents> logger)
    {
        _router = router;
        _routes = routes;
        _node = node;
        _metrics = metrics;
        _clock = clock;
        _logger = logger;
        if (options.Value.ClientEvents)
        {
            _events = System.Threading.Channels.Channel.CreateBounded<ClientEvent>(new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        }
    }

    /// <summary>The client of <paramref name="connection"/> connected (CONNACK 0 sent).</summary>
    public void Connected(MqttConnection connection)
    {
        if (_events is not null)
        {
            Post(new ClientEvent(EventKind.Connected, connection.ClientId!, connection.UserName, connection.RemoteEndPoint, (int)connection.Version,
                connection.KeepAliveSeconds, connection.CleanStart, connection.SessionExpirySeconds, null, null, _clock.GetUtcNow()));
        }
    }

    /// <summary>The client of <paramref name="connection"/> disconnected, for <paramref name="reason"/> (null: normal).</summary>
    public void Disconnected(MqttConnection connection, string? reason)
    {
        if (_events is not null)
        {
            Post(new ClientEvent(EventKind.Disconnected, connection.ClientId!, connection.UserName, connection.RemoteEndPoint, (int)connection.Version,
                0, false, 0, reason ?? "normal", null, _clock.GetUtcNow()));
        }
    }

    /// <summary>The client subscribed to <paramref name="subscription"/> (granted).</summary>
    public void Subscribed(MqttConnection connection, SubscriptionRecord subscription)
    {
        if (_events is not null)
        {
            Post(new ClientEvent(EventKind.Subscribed, connection.ClientId!, connection.UserName, null, 0, 0, false, 0, null, subscription, _clock.GetUtcNow()));
        }
    }

    /// <summary>The client unsubscribed from <paramref name="filter"/>.</summary>
    public void Unsubscribed(MqttConnection connection, string filter)
    {
        if (_events is not null)
        {
            Post(new ClientEvent(EventKind.Unsubscribed, connection.ClientId!, connection.UserName, null, 0, 0, false, 0, null, new SubscriptionRecord(filter, 0), _clock.GetUtcNow()));
        }
    }

    private void Post(ClientEvent e)
    {
        if (!_events!.Writer.TryWrite(e))
        {
            _metrics.SysEventsDropped.Inc();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_events is null)
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(512);
        try
        {
            await foreach (var e in _events.Reader.ReadAllAsync(stoppingToken))
            {
                var topic = $"$SYS/brokers/{_node.DisplayName}/clients/{e.ClientId}/{Names[(int)e.Kind]}";
                _matches.Clear();
                _routes.Match(topic, _matches);
                if (_matches.Count == 0)
                {
                    // Nobody listens: nothing to publish (and no no_subscribers drop to count).
                    continue;
                }

                try
                {
                    buffer.ResetWrittenCount();
                    Write(buffer, e);
                    await _router.PublishAsync(new BrokerMessage(topic, buffer.WrittenSpan.ToArray(), 0, false), stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogEventFailed(_logger, ex, topic);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static readonly string[] Names = ["connected", "disconnected", "subscribed", "unsubscribed"];

    private static void Write(IBufferWriter<byte> output, ClientEvent e)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("clientid", e.ClientId);
        if (e.UserName is null)
        {
            json.WriteNull("username");
        }
        else
        {
            json.WriteString("username", e.UserName);
        }

        var ms = e.At.ToUnixTimeMilliseconds();
        switch (e.Kind)
        {
            case EventKind.Connected:
                json.WriteString("ipaddress", Host(e.Peer));
                json.WriteString("proto_name", e.ProtocolVersion == 3 ? "MQIsdp" : "MQTT");
                json.WriteNumber("proto_ver", e.ProtocolVersion);
                json.WriteNumber("keepalive", e.KeepAlive);
                json.WriteBoolean("clean_start", e.CleanStart);
                json.WriteNumber("expiry_interval", e.ExpiryInterval);
                json.WriteNumber("connected_at", ms);
                break;
            case EventKind.Disconnected:
                json.WriteString("ipaddress", Host(e.Peer));
                json.WriteNumber("proto_ver", e.ProtocolVersion);
                json.WriteString("reason", e.Reason);
                json.WriteNumber("disconnected_at", ms);
                break;
            default:
                var s = e.Subscription!;
                json.WriteString("topic", s.Filter);
                json.WriteStartObject("opts");
                json.WriteNumber("qos", s.QoS);
                json.WriteNumber("nl", s.NoLocal ? 1 : 0);
                json.WriteNumber("rap", s.RetainAsPublished ? 1 : 0);
                json.WriteNumber("rh", s.RetainHandling);
                json.WriteEndObject();
                break;
        }

        json.WriteNumber("ts", ms);
        json.WriteEndObject();
    }

    /// <summary>The address of "address:port" (IPv6 in brackets too), or the text as it is.</summary>
    private static string? Host(string? peer)
    {
        if (peer is null)
        {
            return null;
        }

        var colon = peer.LastIndexOf(':');
        if (colon <= 0 || (peer.Contains(']', StringComparison.Ordinal) && colon < peer.IndexOf(']', StringComparison.Ordinal)))
        {
            return peer;
        }

        return peer[..colon].Trim('[', ']');
    }

    private enum EventKind
    {
        Connected,
        Disconnected,
        Subscribed,
        Unsubscribed,
    }

    private sealed record ClientEvent(
        EventKind Kind, string ClientId, string? UserName, string? Peer, int ProtocolVersion, int KeepAlive, bool CleanStart, uint ExpiryInterval,
        string? Reason, SubscriptionRecord? Subscription, DateTimeOffset At);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Publishing the client event {Topic} failed")]
    private static partial void LogEventFailed(ILogger logger, Exception ex, string topic);
}
