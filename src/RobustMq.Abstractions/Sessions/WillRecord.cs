using RobustMq.Abstractions.Messages;

namespace RobustMq.Abstractions.Sessions;

/// <summary>A client's will message with its delay interval in seconds (MQTT 5; 0 for 3.1.x).</summary>
[GenerateSerializer, Immutable, Alias("robustmq.will.v1")]
public sealed record WillRecord([property: Id(0)] BrokerMessage Message, [property: Id(1)] uint DelaySeconds)
{
    /// <summary>
    /// The will as published at <paramref name="nowUnixMs"/>. Its Message Expiry Interval is the lifetime of the will
    /// once published (MQTT 5, 3.1.3.2.4), so the expiry counts from now, not from CONNECT.
    /// </summary>
    public BrokerMessage PublishedAt(long nowUnixMs) =>
        Message.Properties?.MessageExpiryInterval is { } expiry
            ? Message with { ExpiresAtUnixMs = nowUnixMs + (expiry * 1000L) }
            : Message;
}
