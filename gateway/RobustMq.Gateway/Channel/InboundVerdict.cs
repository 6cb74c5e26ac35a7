namespace RobustMq.Gateway.Channel;

/// <summary>What <see cref="InboundPublishState.Receive"/> makes of a PUBLISH that broke no rule.</summary>
public enum InboundVerdict
{
    /// <summary>A new message: check it against the ACL, route it, then acknowledge it (QoS 1/2).</summary>
    New,

    /// <summary>
    /// A resend of a QoS 2 message received before and not yet released by PUBREL: acknowledge it again with PUBREC,
    /// deliver it no second time (MQTT 4.3.3, method B).
    /// </summary>
    Duplicate,
}
