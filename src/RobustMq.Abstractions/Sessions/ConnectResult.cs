namespace RobustMq.Abstractions.Sessions;

/// <summary>
/// The session's answer to a connect: whether a session was present, what the client is owed
/// (resent first), and the outbound QoS 2 packet ids waiting for PUBCOMP (PUBREL is resent for them).
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.connectres.v1")]
public sealed record ConnectResult(
    [property: Id(0)] bool SessionPresent,
    [property: Id(1)] PendingMessage[] Pending,
    [property: Id(2)] ushort[] PendingPubRel,
    [property: Id(3)] ushort[] InboundQoS2);
