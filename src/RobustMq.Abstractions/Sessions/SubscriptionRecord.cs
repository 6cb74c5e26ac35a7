namespace RobustMq.Abstractions.Sessions;

/// <summary>One subscription of a session: the filter as the client sent it (with <c>$share/g/</c> when shared) and its options.</summary>
[GenerateSerializer, Immutable, Alias("robustmq.sub.v1")]
public sealed record SubscriptionRecord(
    [property: Id(0)] string Filter,
    [property: Id(1)] byte QoS,
    [property: Id(2)] bool NoLocal = false,
    [property: Id(3)] bool RetainAsPublished = false,
    [property: Id(4)] byte RetainHandling = 0,
    [property: Id(5)] uint SubscriptionId = 0);
