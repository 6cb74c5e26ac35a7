namespace RobustMq.Abstractions.Options;

/// <summary>Protocol limits and behaviour, bound from the <c>Mqtt</c> configuration section.</summary>
public sealed class MqttOptions
{
    public const string Section = "Mqtt";
    public const int DefaultMaxKeepAlive = 65535;
    public const int DefaultMaxPacketSize = 1024 * 1024;
    public const int DefaultReceiveMaximum = 128;
    public const int DefaultMaxQueuedMessages = 1000;
    public const long DefaultMaxSessionExpiry = 7200;
    public const int DefaultTopicAliasMaximum = 64;
    public const int DefaultMaximumQoS = 2;
    public const int DefaultConnectTimeoutSeconds = 10;
    public const int DefaultMaxInflight = 32;
    public const int DefaultRetryIntervalSeconds = 20;
    public const int DefaultMaxTopicLevels = 128;
    public const int DefaultMaxTopicLength = 65535;
    public const int DefaultBackPressureTimeoutMs = 5000;

    /// <summary>Largest keep-alive accepted; a larger (or zero) one from an MQTT 5 client is answered with Server Keep Alive.</summary>
    public int MaxKeepAlive { get; set; } = DefaultMaxKeepAlive;

    /// <summary>Largest packet the broker accepts, in bytes (announced as Maximum Packet Size).</summary>
    public int MaxPacketSize { get; set; } = DefaultMaxPacketSize;

    /// <summary>How many unacknowledged QoS 1/2 PUBLISH a client may send us (announced as Receive Maximum).</summary>
    public int ReceiveMaximum { get; set; } = DefaultReceiveMaximum;

    /// <summary>How many QoS 1/2 messages we send a client without acknowledgement, at most (its Receive Maximum may lower it).</summary>
    public int MaxInflight { get; set; } = DefaultMaxInflight;

    /// <summary>
    /// Messages queued per session (offline, or beyond the inflight window); more are dropped and counted, except QoS 1/2
    /// messages for a connected client that still drains (its publishers are held back meanwhile, see
    /// <see cref="BackPressureTimeoutMs"/>): those acknowledged to their publishers are kept.
    /// </summary>
    public int MaxQueuedMessages { get; set; } = DefaultMaxQueuedMessages;

    /// <summary>Largest session expiry interval granted, in seconds; also the expiry of MQTT 3.1.x persistent sessions.</summary>
    public long MaxSessionExpiry { get; set; } = DefaultMaxSessionExpiry;

    /// <summary>Topic aliases a client may use towards us (announced as Topic Alias Maximum); 0 turns them off.</summary>
    public int TopicAliasMaximum { get; set; } = DefaultTopicAliasMaximum;

    /// <summary>Highest QoS the broker supports (announced as Maximum QoS when below 2).</summary>
    public int MaximumQoS { get; set; } = DefaultMaximumQoS;

    /// <summary>Seconds a new connection has to send CONNECT.</summary>
    public int ConnectTimeoutSeconds { get; set; } = DefaultConnectTimeoutSeconds;

    /// <summary>Whether QoS 0 messages are queued for offline persistent sessions.</summary>
    public bool QueueQoS0Messages { get; set; }

    /// <summary>Whether retained messages are supported.</summary>
    public bool RetainAvailable { get; set; } = true;

    /// <summary>How a <c>$share</c> group picks a member: RoundRobin, Random, HashClientId, HashTopic.</summary>
    public SharedSubscriptionStrategy SharedSubscriptionStrategy { get; set; } = SharedSubscriptionStrategy.RoundRobin;

    /// <summary>
    /// How long a publisher is held back (its reads paused) waiting for a subscriber whose queue is half
    /// full to drain. A subscriber that does not drain within this time stops holding publishers back and,
    /// beyond <see cref="MaxQueuedMessages"/>, loses messages (counted). 0 turns back-pressure off.
    /// </summary>
    public int BackPressureTimeoutMs { get; set; } = DefaultBackPressureTimeoutMs;

    /// <summary>Response Information returned to clients that request it; <c>${clientid}</c> is replaced.</summary>
    public string ResponseInformation { get; set; } = "response/${clientid}";

    /// <summary>
    /// Subscriptions one client may hold at once; 0 (default): no limit. The filters of a SUBSCRIBE past it are refused
    /// with 0x97 Quota exceeded (0x80 on 3.1.x); subscribing again to a filter held does not count.
    /// </summary>
    public int MaxSubscriptions { get; set; }

    /// <summary>
    /// Most levels a topic name or filter may have (128 by default, as EMQX's): a filter past it is refused with 0x8F
    /// Topic Filter invalid (0x80 on 3.1.x), a PUBLISH is dropped (PUBACK/PUBREC 0x90 Topic Name invalid on MQTT 5).
    /// </summary>
    public int MaxTopicLevels { get; set; } = DefaultMaxTopicLevels;

    /// <summary>Longest topic name or filter, in characters (65,535 by default: the protocol's own limit); refused as <see cref="MaxTopicLevels"/>.</summary>
    public int MaxTopicLength { get; set; } = DefaultMaxTopicLength;

    /// <summary>PUBLISH packets a second one client may send, a second's worth at once; 0 (default): no limit. See <see cref="RateExceeded"/>.</summary>
    public int MaxMessageRate { get; set; }

    /// <summary>Bytes a second one client may send (every packet, as read), a second's worth at once; 0 (default): no limit. See <see cref="RateExceeded"/>.</summary>
    public long MaxByteRate { get; set; }

    /// <summary>
    /// What a client over <see cref="MaxMessageRate"/> or <see cref="MaxByteRate"/> meets: <c>Throttle</c> (default:
    /// its socket is not read until it is back within the rate, so TCP holds it back and nothing is lost) or
    /// <c>Disconnect</c> (DISCONNECT 0x96 Message rate too high, or 0x97 Quota exceeded for bytes, on MQTT 5; a plain
    /// close on 3.1.x).
    /// </summary>
    public RateExceededAction RateExceeded { get; set; } = RateExceededAction.Throttle;
}

/// <summary>What a client over its message or byte rate meets (<c>Mqtt:RateExceeded</c>).</summary>
public enum RateExceededAction
{
    /// <summary>Its reads pause until it is within the rate again.</summary>
    Throttle,

    /// <summary>It is disconnected: 0x96 (messages) or 0x97 (bytes) on MQTT 5.</summary>
    Disconnect,
}
