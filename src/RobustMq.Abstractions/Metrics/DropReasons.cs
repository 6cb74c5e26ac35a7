namespace RobustMq.Abstractions.Metrics;

/// <summary>The <c>reason</c> label of <c>robustmq_messages_dropped_total</c>: every way a message is discarded.</summary>
public static class DropReasons
{
    /// <summary>Its Message Expiry Interval passed before delivery started (MQTT-3.3.2-5): retained, queued or waiting to be sent.</summary>
    public const string Expired = "expired";

    /// <summary>The subscriber's queue held <c>Mqtt:MaxQueuedMessages</c> already (online or offline).</summary>
    public const string QueueFull = "queue_full";

    /// <summary>Larger than the client's Maximum Packet Size (MQTT-3.1.2-25).</summary>
    public const string PacketTooLarge = "packet_too_large";

    /// <summary>No subscriber matched (a published message, or a shared subscription's message with no member left).</summary>
    public const string NoSubscribers = "no_subscribers";

    /// <summary>
    /// The ACL refused it: the publisher may not publish to the topic, or a subscriber may not read it (the per-message
    /// read check of a route, or a retained or queued message the subscriber may not read); one per copy refused.
    /// </summary>
    public const string NotAuthorized = "not_authorized";

    /// <summary>A PUBLISH whose topic is over <c>Mqtt:MaxTopicLength</c> or <c>Mqtt:MaxTopicLevels</c>.</summary>
    public const string TopicLimit = "topic_limit";

    /// <summary>Another node did not take a batch of deliveries.</summary>
    public const string NodeUnreachable = "node_unreachable";

    /// <summary>A QoS 0 message for a session that is offline, with <c>Mqtt:QueueQoS0Messages</c> off.</summary>
    public const string QoS0Offline = "qos0_offline";

    /// <summary>
    /// A shared subscription's message handed on <c>IMessageRouter.MaxHandOns</c> times already (each time because the member it
    /// went to ended its session owing it) and owed again: not handed on once more, so members whose sessions are gone
    /// while their routes linger cannot pass it around.
    /// </summary>
    public const string HandOnLimit = "hand_on_limit";

    /// <summary>Owed to a session that ended (clean session closed, session expired, clean start) and not re-sent elsewhere.</summary>
    public const string SessionEnded = "session_ended";

    /// <summary>A publish whose message could not be stored (a retained message, the store full or failing): refused, not routed.</summary>
    public const string NotStored = "not_stored";
}
