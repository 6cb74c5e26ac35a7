namespace RobustMq.Abstractions.Sessions;

/// <summary>
/// The session's answer to a connect: whether a session was present, what the client is owed
/// (resent first), and the outbound QoS 2 packet ids waiting for PUBCOMP (PUBREL is resent for them).
/// <see cref="QueueSequence"/>: non-zero when the session keeps its QoS 1/2 deliveries in storage (a persistent session
/// on a store that survives a crash): the first of the record sequences reserved for this connection, which stores
/// each QoS 1/2 delivery under the next one (<see cref="PendingMessage.StoreSequence"/>) before its publisher is
/// acknowledged and deletes it once its client acknowledges it.
/// <see cref="Subscriptions"/>: the session's subscriptions (a present session's), which the connection serves from now
/// on (SUBSCRIBE and UNSUBSCRIBE change them in storage without the grain); null or empty for none.
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.connectres.v1")]
public sealed record ConnectResult(
    [property: Id(0)] bool SessionPresent,
    [property: Id(1)] PendingMessage[] Pending,
    [property: Id(2)] ushort[] PendingPubRel,
    [property: Id(3)] ushort[] InboundQoS2,
    [property: Id(4)] long QueueSequence = 0,
    [property: Id(5)] SubscriptionRecord[]? Subscriptions = null);
