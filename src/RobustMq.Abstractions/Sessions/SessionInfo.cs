namespace RobustMq.Abstractions.Sessions;

/// <summary>A read-only view of a session for backend services and the admin API.</summary>
[GenerateSerializer, Immutable, Alias("robustmq.sessioninfo.v1")]
public sealed record SessionInfo(
    [property: Id(0)] string ClientId,
    [property: Id(1)] bool Exists,
    [property: Id(2)] bool Connected,
    [property: Id(3)] string? Node,
    [property: Id(4)] uint SessionExpirySeconds,
    [property: Id(5)] SubscriptionRecord[] Subscriptions,
    [property: Id(6)] int QueuedMessages,
    [property: Id(7)] byte ProtocolVersion,
    [property: Id(8)] string? UserName);
