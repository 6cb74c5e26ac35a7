using Prometheus;
using RobustMq.Abstractions.Metrics;
using RobustMq.Protocol.Packets;

namespace RobustMq.Gateway.Metrics;

/// <summary>
/// The families of issue 14, named as RobustMQ names them (<c>src/common/metrics/src/mqtt/*.rs</c>, counters with
/// <c>_total</c>): <c>mqtt_*</c> for what an MQTT user counts, <c>robustmq_*</c> for the broker's own machinery
/// (storage, grain calls) that RobustMQ has no name for. Every labelled child a packet or a message touches is bound
/// here once: counting is an array index and an increment, never a lookup by label text.
/// </summary>
public sealed partial class BrokerMetrics : IStorageMetrics
{
    /// <summary>The <c>type</c> label of each control packet type (MQTT 2.1.2), by its number; index 0 unused.</summary>
    public static readonly string[] PacketTypeLabels =
        ["reserved", "connect", "connack", "publish", "puback", "pubrec", "pubrel", "pubcomp", "subscribe", "suback", "unsubscribe", "unsuback", "pingreq", "pingresp", "disconnect", "auth"];

    private Counter.Child[] _packetsReceived = [];
    private Counter.Child[] _packetsSent = [];
    private Counter.Child[] _messagesReceivedByQoS = [];
    private Counter.Child[] _messagesSentByQoS = [];
    private Counter.Child[] _packetsMissed = [];
    private Counter.Child[] _aclAllowed = [];
    private Counter.Child[] _aclDenied = [];

    /// <summary>The <c>action</c> of an ACL decision counted by <see cref="AclDecided"/>.</summary>
    public const int AclPublish = 0, AclSubscribe = 1, AclRead = 2;

    /// <summary>Counts one ACL decision for <paramref name="action"/> (<see cref="AclPublish"/>, <see cref="AclSubscribe"/>, <see cref="AclRead"/>).</summary>
    public void AclDecided(int action, bool allowed) => (allowed ? _aclAllowed : _aclDenied)[action].Inc();

    /// <summary>Counts a SUBSCRIBE's ACL decisions.</summary>
    public void AclDecided(int action, int allowed, int denied)
    {
        if (allowed > 0)
        {
            _aclAllowed[action].Inc(allowed);
        }

        if (denied > 0)
        {
            _aclDenied[action].Inc(denied);
        }
    }

    /// <summary><c>mqtt_packets_received_total{type}</c>: control packets read from clients, by type.</summary>
    public Counter PacketsReceived { get; private set; } = null!;

    /// <summary><c>mqtt_packets_sent_total{type}</c>: control packets written to clients, by type.</summary>
    public Counter PacketsSent { get; private set; } = null!;

    /// <summary><c>mqtt_packets_received_error_total</c>: packets that closed their connection as bad input.</summary>
    public Counter PacketsReceivedError { get; private set; } = null!;

    private Counter.Child[] _droppedByQoS = [];
    private Counter.Child[] _expiredByQoS = [];

    /// <summary><c>mqtt_packets_missed_total{type}</c>: acknowledgements for a packet id not in flight.</summary>
    public Counter PacketsMissed { get; private set; } = null!;

    /// <summary><c>mqtt_messages_dropped_total{qos}</c>.</summary>
    public Counter MessagesDroppedByQoS { get; private set; } = null!;

    /// <summary><c>mqtt_messages_expired_total{qos}</c>.</summary>
    public Counter MessagesExpiredByQoS { get; private set; } = null!;

    /// <summary><c>mqtt_messages_forward_total</c>.</summary>
    public Counter MessagesForwarded { get; private set; } = null!;

    /// <summary>Counts an acknowledgement of <paramref name="type"/> for a packet id not in flight.</summary>
    public void PacketMissed(MqttPacketType type) => _packetsMissed[(int)type].Inc();

    /// <summary>Counts a message at <paramref name="qos"/> dropped (beside <see cref="Dropped(string)"/>, which counts it by reason); expired ones also by QoS.</summary>
    public void DroppedAt(int qos, bool expired = false)
    {
        _droppedByQoS[qos].Inc();
        if (expired)
        {
            _expiredByQoS[qos].Inc();
        }
    }

    /// <summary>
    /// A message of <paramref name="topic"/> at <paramref name="qos"/> dropped (counted by reason apart): by QoS, and for
    /// its topic when that is registered.
    /// </summary>
    public void DroppedMessage(string topic, int qos, bool expired = false)
    {
        DroppedAt(qos, expired);
        Topics.Find(topic)?.Dropped(qos);
    }

    /// <summary><c>mqtt_messages_received_total{qos}</c>.</summary>
    public Counter MessagesReceivedByQoS { get; private set; } = null!;

    /// <summary><c>mqtt_messages_sent_total{qos}</c>.</summary>
    public Counter MessagesSentByQoS { get; private set; } = null!;

    /// <summary><c>mqtt_retain_packets_received_total</c>: PUBLISH packets with the retain flag from clients.</summary>
    public Counter RetainReceived { get; private set; } = null!;

    /// <summary><c>mqtt_retain_packets_sent_total</c>: PUBLISH packets written with the retain flag (retained messages at subscribe, retain-as-published).</summary>
    public Counter RetainSent { get; private set; } = null!;

    /// <summary><c>mqtt_session_created_total</c>: CONNACKs with Session Present 0 (a new session).</summary>
    public Counter SessionsCreated { get; private set; } = null!;

    /// <summary><c>mqtt_session_deleted_total</c>: sessions that ended with their connection (clean session, expiry 0).</summary>
    public Counter SessionsDeleted { get; private set; } = null!;

    /// <summary><c>mqtt_acl_success_total{action}</c> and <c>mqtt_acl_failed_total{action}</c>, action publish, subscribe or read.</summary>
    public Counter AclAllowed { get; private set; } = null!;

    /// <inheritdoc cref="AclAllowed"/>
    public Counter AclDenied { get; private set; } = null!;

    /// <summary>Gauges set from walks (<see cref="MetricsRefresher"/>), before each scrape and each <c>$SYS</c> tick.</summary>
    public Gauge ConnectionsCount { get; private set; } = null!;

    /// <inheritdoc cref="ConnectionsCount"/>
    public Gauge SessionsCount { get; private set; } = null!;

    /// <inheritdoc cref="ConnectionsCount"/>
    public Gauge SubscriptionsCount { get; private set; } = null!;

    /// <inheritdoc cref="ConnectionsCount"/>
    public Gauge SubscriptionsShared { get; private set; } = null!;

    /// <inheritdoc cref="ConnectionsCount"/>
    public Gauge SubscriptionsExclusive { get; private set; } = null!;

    /// <inheritdoc cref="ConnectionsCount"/>
    public Gauge SubscribersCount { get; private set; } = null!;

    /// <inheritdoc cref="ConnectionsCount"/>
    public Gauge TopicsCount { get; private set; } = null!;

    /// <inheritdoc cref="ConnectionsCount"/>
    public Gauge RetainedCount { get; private set; } = null!;

    /// <summary><c>robustmq_storage_write_duration_seconds{backend}</c>: how long each storage batch took to be durable.</summary>
    public Histogram StorageWrites { get; private set; } = null!;

    /// <summary><c>robustmq_storage_writes_pending{backend}</c>: storage batches under way (the write queue's depth).</summary>
    public Gauge StorageWritesPending { get; private set; } = null!;

    /// <summary><c>robustmq_grain_call_duration_seconds{interface,method}</c>: grain calls served on this node.</summary>
    public Histogram GrainCalls { get; private set; } = null!;

    /// <summary><c>robustmq_sys_events_dropped_total</c>: client events dropped, their queue full.</summary>
    public Counter SysEventsDropped { get; private set; } = null!;

    /// <summary>The topics registered for topic metrics (<c>/api/v1/topic_metrics</c>) and their counters.</summary>
    public TopicMetricSet Topics { get; private set; } = null!;

    /// <summary><c>topic_messages_written_total{topic,qos}</c>, for the topics registered in <see cref="TopicMetrics"/>.</summary>
    public Counter TopicMessagesIn { get; private set; } = null!;

    /// <summary><c>topic_messages_sent_total{topic,qos}</c>, for the registered topics.</summary>
    public Counter TopicMessagesOut { get; private set; } = null!;

    /// <summary><c>topic_messages_dropped_total{topic}</c>, for the registered topics.</summary>
    public Counter TopicMessagesDropped { get; private set; } = null!;

    private void CreateOperationsFamilies(MetricFactory factory)
    {
        // The series a dashboard charts exist from the start, at 0: rate() of what never happened is 0, not absent.
        foreach (var outcome in new[] { "allowed", "bad_credentials", "not_authorized", "unavailable", "banned" })
        {
            Authentications.WithLabels(outcome);
        }

        foreach (var limit in new[] { OverloadLimits.ConnectionRate, OverloadLimits.MessageRate, OverloadLimits.ByteRate, OverloadLimits.Subscriptions, OverloadLimits.TopicLevels, OverloadLimits.TopicLength })
        {
            OverloadCounter.WithLabels(limit);
        }

        foreach (var reason in new[]
        {
            DropReasons.Expired, DropReasons.QueueFull, DropReasons.PacketTooLarge, DropReasons.NoSubscribers, DropReasons.NotAuthorized,
            DropReasons.TopicLimit, DropReasons.NodeUnreachable, DropReasons.QoS0Offline, DropReasons.HandOnLimit, DropReasons.SessionEnded, DropReasons.NotStored,
        })
        {
            MessagesDropped.WithLabels(reason);
        }

        Registry.AddBeforeCollectCallback(SyncDerived);
        PacketsReceived = factory.CreateCounter("mqtt_packets_received_total", "MQTT control packets received, by type (connect, publish, puback, ...).", "type");
        PacketsSent = factory.CreateCounter("mqtt_packets_sent_total", "MQTT control packets sent, by type (connack, publish, suback, ...).", "type");
        PacketsReceivedError = factory.CreateCounter("mqtt_packets_received_error_total", "Received packets that were malformed or broke the protocol (the connection was closed).");
        _packetsReceived = new Counter.Child[PacketTypeLabels.Length];
        _packetsSent = new Counter.Child[PacketTypeLabels.Length];
        for (var type = 1; type < PacketTypeLabels.Length; type++)
        {
            _packetsReceived[type] = PacketsReceived.WithLabels(PacketTypeLabels[type]);
            _packetsSent[type] = PacketsSent.WithLabels(PacketTypeLabels[type]);
        }

        PacketsMissed = factory.CreateCounter("mqtt_packets_missed_total", "PUBACK, PUBREC, PUBREL or PUBCOMP received for a packet id not in flight, by type.", "type");
        _packetsMissed = new Counter.Child[PacketTypeLabels.Length];
        foreach (var type in new[] { MqttPacketType.PubAck, MqttPacketType.PubRec, MqttPacketType.PubRel, MqttPacketType.PubComp })
        {
            _packetsMissed[(int)type] = PacketsMissed.WithLabels(PacketTypeLabels[(int)type]);
        }

        MessagesDroppedByQoS = factory.CreateCounter("mqtt_messages_dropped_total", "Messages dropped where their QoS is known (queue full, expired, too large, no subscribers, refused by the ACL), by QoS.", "qos");
        _droppedByQoS = Series(MessagesDroppedByQoS, QoSLabels);
        MessagesExpiredByQoS = factory.CreateCounter("mqtt_messages_expired_total", "Messages whose Message Expiry Interval passed before they were written to a subscriber, by QoS.", "qos");
        _expiredByQoS = Series(MessagesExpiredByQoS, QoSLabels);
        MessagesForwarded = factory.CreateCounter("mqtt_messages_forward_total", "Message copies handed to other nodes for their subscribers.");
        MessagesReceivedByQoS = factory.CreateCounter("mqtt_messages_received_total", "PUBLISH packets received from clients, by QoS (0, 1, 2).", "qos");
        MessagesSentByQoS = factory.CreateCounter("mqtt_messages_sent_total", "PUBLISH packets sent to clients, by QoS (0, 1, 2).", "qos");
        _messagesReceivedByQoS = Series(MessagesReceivedByQoS, QoSLabels);
        _messagesSentByQoS = Series(MessagesSentByQoS, QoSLabels);
        RetainReceived = factory.CreateCounter("mqtt_retain_packets_received_total", "PUBLISH packets with the retain flag received from clients.");
        RetainSent = factory.CreateCounter("mqtt_retain_packets_sent_total", "PUBLISH packets sent with the retain flag set.");
        SessionsCreated = factory.CreateCounter("mqtt_session_created_total", "Sessions created (CONNACK with Session Present 0).");
        SessionsDeleted = factory.CreateCounter("mqtt_session_deleted_total", "Sessions that ended with their connection (clean session, or Session Expiry Interval 0).");
        AclAllowed = factory.CreateCounter("mqtt_acl_success_total", "ACL decisions that allowed, by action: publish, subscribe, read (the per-message check of a subscription).", "action");
        AclDenied = factory.CreateCounter("mqtt_acl_failed_total", "ACL decisions that denied, by action: publish, subscribe, read.", "action");
        // Every series exists from the start (a dashboard's rate() of a denial that never happened is 0, not absent).
        _aclAllowed = Series(AclAllowed, AclActionLabels);
        _aclDenied = Series(AclDenied, AclActionLabels);

        ConnectionsCount = factory.CreateGauge("mqtt_connections_count", "Open MQTT connections on this node (after CONNACK).");
        SessionsCount = factory.CreateGauge("mqtt_sessions_count", "Sessions served by this node's connections (a disconnected persistent session is kept in storage, not counted here).");
        SubscriptionsCount = factory.CreateGauge("mqtt_subscriptions_count", "Subscriptions in the cluster's route table, as this node holds its replica.");
        SubscriptionsShared = factory.CreateGauge("mqtt_subscriptions_shared_count", "Shared subscriptions ($share/...) in the route table.");
        SubscriptionsExclusive = factory.CreateGauge("mqtt_subscriptions_exclusive_count", "Non-shared subscriptions in the route table.");
        SubscribersCount = factory.CreateGauge("mqtt_subscribers_count", "Distinct clients with at least one subscription in the route table.");
        TopicsCount = factory.CreateGauge("mqtt_topics_count", "Distinct topic filters in the route table.");
        RetainedCount = factory.CreateGauge("mqtt_retained_count", "Retained messages in the cluster (read from the retained stores every few seconds; the same on every node).");

        var latencyBuckets = Histogram.ExponentialBuckets(0.0001, 4, 10); // 0.1 ms .. 26 s
        StorageWrites = factory.CreateHistogram("robustmq_storage_write_duration_seconds", "Time for a storage batch to be applied and durable (Storage:Sync), by backend.", ["backend"], new HistogramConfiguration { Buckets = latencyBuckets });
        StorageWritesPending = factory.CreateGauge("robustmq_storage_writes_pending", "Storage batches under way (written, not yet durable), by backend: the depth of the write queue.", "backend");
        GrainCalls = factory.CreateHistogram("robustmq_grain_call_duration_seconds", "Grain calls served on this node, by grain interface and method.", ["interface", "method"], new HistogramConfiguration { Buckets = latencyBuckets });

        TopicMessagesIn = factory.CreateCounter("topic_messages_written_total", "Messages published to a registered topic (/api/v1/topic_metrics), by QoS.", "topic", "qos");
        TopicMessagesOut = factory.CreateCounter("topic_messages_sent_total", "Messages of a registered topic sent to subscribers, by QoS.", "topic", "qos");
        TopicMessagesDropped = factory.CreateCounter("topic_messages_dropped_total", "Messages of a registered topic dropped (any reason of robustmq_messages_dropped_total).", "topic");
        Topics = new TopicMetricSet(this);
        SysEventsDropped = factory.CreateCounter("robustmq_sys_events_dropped_total", "Client events ($SYS/brokers/{node}/clients/...) not published because their queue was full.");
    }

    /// <summary>Counts one control packet read, by its type.</summary>
    public void PacketReceived(MqttPacketType type) => _packetsReceived[(int)type].Inc();

    /// <summary>Counts one control packet written, by its type.</summary>
    public void PacketSent(MqttPacketType type) => _packetsSent[(int)type].Inc();

    /// <summary>
    /// Counts one PUBLISH received at <paramref name="qos"/> (0-2), and its retain flag. Its <c>type="publish"</c> packet
    /// count is <see cref="BrokerMetrics.MessagesReceived"/>'s, copied before each scrape (<see cref="SyncDerived"/>):
    /// one shared increment less per message.
    /// </summary>
    public void PublishReceived(int qos, bool retain)
    {
        _messagesReceivedByQoS[qos].Inc();
        if (retain)
        {
            RetainReceived.Inc();
        }
    }

    /// <summary>Counts one PUBLISH written at <paramref name="qos"/> (0-2), and its retain flag (its packet count: as <see cref="PublishReceived"/>).</summary>
    public void PublishSent(int qos, bool retain)
    {
        _messagesSentByQoS[qos].Inc();
        if (retain)
        {
            RetainSent.Inc();
        }
    }

    /// <summary>Brings the derived series up to date: PUBLISH packets received and sent are the messages counted.</summary>
    public void SyncDerived()
    {
        _packetsReceived[(int)MqttPacketType.Publish].IncTo(MessagesReceived.Value);
        _packetsSent[(int)MqttPacketType.Publish].IncTo(MessagesSent.Value);
    }

    /// <summary>The meter of one storage backend's writes (bound once per engine).</summary>
    /// <summary>The label values of a per-QoS series, index = QoS.</summary>
    private static readonly string[] QoSLabels = ["0", "1", "2"];

    /// <summary>The label values of a per-action ACL series, in the order of the action numbers <see cref="AclDecided"/> takes.</summary>
    private static readonly string[] AclActionLabels = ["publish", "subscribe", "read"];

    /// <summary>One child of <paramref name="counter"/> per label value, in that order (each series exists from the start).</summary>
    private static Counter.Child[] Series(Counter counter, string[] labels) => Array.ConvertAll(labels, label => counter.WithLabels(label));

    public IStorageWriteMeter ForBackend(string backend) => new StorageWriteMeter(StorageWrites.WithLabels(backend), StorageWritesPending.WithLabels(backend));

    private sealed class StorageWriteMeter(Histogram.Child duration, Gauge.Child pending) : IStorageWriteMeter
    {
        public long Started()
        {
            pending.Inc();
            return System.Diagnostics.Stopwatch.GetTimestamp();
        }

        public void Ended(long started)
        {
            pending.Dec();
            duration.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }
}
