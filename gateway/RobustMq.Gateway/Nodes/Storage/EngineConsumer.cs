namespace RobustMq.Gateway.Nodes.Storage;

/// <summary>A consumer of a shard and its committed offset: the next offset it wants.</summary>
[GenerateSerializer, Immutable, Alias("robustmq.engine.consumer")]
public sealed record EngineConsumer([property: Id(0)] string Consumer, [property: Id(1)] long Offset);
