namespace RobustMq.Protocol.Codec;

/// <summary>The places a property list can appear; each property is allowed in some of them (MQTT 5, 2.2.2.2).</summary>
[Flags]
internal enum PropertyScope : ushort
{
    None = 0,
    Connect = 1 << 0,
    ConnAck = 1 << 1,
    Publish = 1 << 2,
    Will = 1 << 3,
    /// <summary>PUBACK, PUBREC, PUBREL and PUBCOMP.</summary>
    PublishResponse = 1 << 4,
    Subscribe = 1 << 5,
    SubAck = 1 << 6,
    Unsubscribe = 1 << 7,
    UnsubAck = 1 << 8,
    Disconnect = 1 << 9,
    Auth = 1 << 10,
    All = Connect | ConnAck | Publish | Will | PublishResponse | Subscribe | SubAck | Unsubscribe | UnsubAck | Disconnect | Auth,
}
