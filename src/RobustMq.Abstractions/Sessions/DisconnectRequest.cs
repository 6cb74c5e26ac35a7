namespace RobustMq.Abstractions.Sessions;

/// <summary>
/// A connection has ended. It hands back what its client still owed acknowledgements for, so a persistent
/// session redelivers them (with DUP) on reconnect.
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.disconnectreq.v1")]
public sealed record DisconnectRequest(
    [property: Id(0)] ConnectionRef Connection,
    [property: Id(1)] DisconnectKind Kind,
    [property: Id(2)] PendingMessage[] Unacknowledged,
    [property: Id(3)] ushort[] PendingPubRel,
    [property: Id(4)] ushort[] InboundQoS2,
    [property: Id(5)] uint? SessionExpirySeconds = null);
