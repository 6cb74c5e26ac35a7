using RobustMq.Abstractions.Messages;

namespace RobustMq.Abstractions.Sessions;

/// <summary>
/// A message owed to a session's client. <see cref="PacketId"/> is non-zero when it was already sent
/// (inflight, unacknowledged): it is resent with DUP and the same packet id on reconnect (MQTT-4.4.0-1).
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.pending.v1")]
public sealed record PendingMessage(
    [property: Id(0)] BrokerMessage Message,
    [property: Id(1)] byte QoS,
    [property: Id(2)] bool RetainFlag,
    [property: Id(3)] uint[]? SubscriptionIds,
    [property: Id(4)] ushort PacketId = 0);
