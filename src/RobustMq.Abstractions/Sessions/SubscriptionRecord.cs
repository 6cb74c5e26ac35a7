namespace RobustMq.Abstractions.Sessions;

/// <summary>
/// One subscription of a session: the filter as the client sent it (with <c>$share/g/</c> when shared) and its options.
/// <see cref="CheckRead"/> is decided at SUBSCRIBE: the ACL could refuse some topic of the filter, so each message
/// is checked against the ACL as <see cref="UserName"/> before it is delivered; otherwise none is.
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.sub.v1")]
public sealed record SubscriptionRecord(
    [property: Id(0)] string Filter,
    [property: Id(1)] byte QoS,
    [property: Id(2)] bool NoLocal = false,
    [property: Id(3)] bool RetainAsPublished = false,
    [property: Id(4)] byte RetainHandling = 0,
    [property: Id(5)] uint SubscriptionId = 0,
    [property: Id(6)] bool CheckRead = false,
    [property: Id(7)] string? UserName = null);
