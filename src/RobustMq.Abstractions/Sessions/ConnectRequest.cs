namespace RobustMq.Abstractions.Sessions;

/// <summary>What a gateway tells a session when a client's CONNECT has been accepted on the wire.</summary>
[GenerateSerializer, Immutable, Alias("robustmq.connectreq.v1")]
public sealed record ConnectRequest(
    [property: Id(0)] ConnectionRef Connection,
    [property: Id(1)] bool CleanStart,
    [property: Id(2)] uint SessionExpirySeconds,
    [property: Id(3)] WillRecord? Will,
    [property: Id(4)] byte ProtocolVersion,
    [property: Id(5)] string? UserName,
    [property: Id(6)] string? RemoteEndPoint);
