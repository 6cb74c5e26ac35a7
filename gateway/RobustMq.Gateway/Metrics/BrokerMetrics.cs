using System.Globalization;
using Microsoft.Extensions.Logging;
using Prometheus;
using RobustMq.Abstractions.Metrics;

namespace RobustMq.Gateway.Metrics;

/// <summary>The broker's Prometheus metrics, in one registry per host (so several silos in one process stay apart).</summary>
public sealed partial class BrokerMetrics : IDropCounter
{
    private readonly DropLog? _dropLog;

    /// <summary>The broker's metrics, each drop also noted in a rate-limited log line (<see cref="DropLog"/>).</summary>
    public BrokerMetrics(ILogger<BrokerMetrics> logger, TimeProvider clock)
        : this()
    {
        _dropLog = new DropLog(logger, clock);
    }

    /// <summary>The metrics without drop logging (tests, tools).</summary>
    public BrokerMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        ConnectionsCurrent = factory.CreateGauge("robustmq_connections", "Open MQTT connections (after CONNACK).");
        ConnectionsTotal = factory.CreateCounter("robustmq_connections_total", "MQTT connections accepted (CONNACK 0).");
        MessagesReceived = factory.CreateCounter("robustmq_messages_received_total", "PUBLISH packets received from clients.");
        MessagesSent = factory.CreateCounter("robustmq_messages_sent_total", "PUBLISH packets sent to clients.");
        MessagesDropped = factory.CreateCounter("robustmq_messages_dropped_total", "Messages dropped, by reason.", "reason");
        BytesReceived = factory.CreateCounter("robustmq_bytes_received_total", "Bytes of MQTT packets received.");
        BytesSent = factory.CreateCounter("robustmq_bytes_sent_total", "Bytes of MQTT packets sent.");
        Subscriptions = factory.CreateGauge("robustmq_routes", "Routes in this node's route cache.");
        BackPressureWaits = factory.CreateCounter("robustmq_backpressure_waits_total", "Times a publisher's reads paused for a subscriber's half-full queue.");
        SlowSubscribers = factory.CreateCounter("robustmq_slow_subscribers_total", "Times a subscriber did not drain within Mqtt:BackPressureTimeoutMs and stopped holding publishers back.");
        ConnectionsRefused = factory.CreateCounter("robustmq_connections_refused_total", "Network connections closed at once because Listeners:MaxConnections were open.");
        ProtocolErrors = factory.CreateCounter("robustmq_protocol_errors_total", "Connections closed for bad input, by reason code.", "reason");
        OverloadCounter = factory.CreateCounter("robustmq_overload_total",
            "Times a limit held a client back or refused it, by limit: connection_rate (a listener's MaxConnectionRate: the connection waited), message_rate and byte_rate (Mqtt:MaxMessageRate, Mqtt:MaxByteRate: throttled or disconnected), subscriptions (Mqtt:MaxSubscriptions: 0x97), topic_levels and topic_length (Mqtt:MaxTopicLevels, Mqtt:MaxTopicLength: 0x8F/0x90).", "limit");
        Authentications = factory.CreateCounter("robustmq_authentication_total",
            "CONNECTs decided by the blacklist, the authentication chain (Auth:Sources, Auth:AllowAnonymous) or an enhanced authentication exchange (Auth:EnhancedMethods; re-authentications too), by outcome: allowed, bad_credentials (0x86; a failed re-authentication), not_authorized (0x87), unavailable (0x88), banned (0x8A: the blacklist or flapping).", "outcome");
        CreateOperationsFamilies(factory);
    }

    public CollectorRegistry Registry { get; }
    public Gauge ConnectionsCurrent { get; }
    public Counter ConnectionsTotal { get; }
    public Counter ConnectionsRefused { get; }
    public Counter MessagesReceived { get; }
    public Counter MessagesSent { get; }
    public Counter MessagesDropped { get; }
    public Counter BytesReceived { get; }
    public Counter BytesSent { get; }
    public Gauge Subscriptions { get; }
    public Counter ProtocolErrors { get; }

    /// <summary>CONNECTs the authentication chain decided on, by outcome (not counted when it lets everyone in without asking).</summary>
    public Counter Authentications { get; }
    public Counter BackPressureWaits { get; }
    public Counter SlowSubscribers { get; }

    /// <summary>The overload counter; see <see cref="Overload"/>.</summary>
    public Counter OverloadCounter { get; }

    /// <summary>Counts one time <paramref name="limit"/> (one of <see cref="OverloadLimits"/>) held a client back or refused it.</summary>
    public void Overload(string limit) => OverloadCounter.WithLabels(limit).Inc();

    public void Dropped(string reason) => Dropped(reason, 1);

    /// <inheritdoc/>
    public void Dropped(string reason, long count)
    {
        if (count > 0)
        {
            MessagesDropped.WithLabels(reason).Inc(count);
            _dropLog?.Note(reason, count);
        }
    }

    /// <summary>A connection closed for bad input, counted under its MQTT reason code (label <c>0x81</c>, see <see cref="ReasonCodeLabel"/>).</summary>
    public void ProtocolError(byte reasonCode) => ProtocolErrors.WithLabels(ReasonCodeLabel(reasonCode)).Inc();

    /// <summary>How a reason code is written in every metric label: as in the specification, <c>0x</c> and two upper-case hex digits.</summary>
    public static string ReasonCodeLabel(byte reasonCode) => "0x" + reasonCode.ToString("X2", CultureInfo.InvariantCulture);
}

/// <summary>The <c>limit</c> labels of <c>robustmq_overload_total</c>.</summary>
public static class OverloadLimits
{
    public const string ConnectionRate = "connection_rate";
    public const string MessageRate = "message_rate";
    public const string ByteRate = "byte_rate";
    public const string Subscriptions = "subscriptions";
    public const string TopicLevels = "topic_levels";
    public const string TopicLength = "topic_length";

    /// <summary>The limit <paramref name="topic"/> (a name or filter) is over, or null: <c>Mqtt:MaxTopicLength</c> first, then <c>Mqtt:MaxTopicLevels</c>.</summary>
    public static string? TopicOver(string topic, int maxLength, int maxLevels)
    {
        if (topic.Length > maxLength)
        {
            return TopicLength;
        }

        // Levels are separators plus one: only a topic longer than the limit can have too many.
        return topic.Length >= maxLevels && topic.AsSpan().Count('/') + 1 > maxLevels ? TopicLevels : null;
    }
}
