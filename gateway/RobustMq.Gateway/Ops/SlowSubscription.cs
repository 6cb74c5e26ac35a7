namespace RobustMq.Gateway.Ops;

/// <summary>One slow subscriber/topic pair: its slowest delivery within the window (ms) and when it was last slow.</summary>
[GenerateSerializer, Immutable, Alias("robustmq.slowsub")]
public sealed record SlowSubscription(
    [property: Id(0)] string ClientId,
    [property: Id(1)] string Topic,
    [property: Id(2)] long TimespanMs,
    [property: Id(3)] long LastUpdateUnixMs,
    [property: Id(4)] string Node = "");
