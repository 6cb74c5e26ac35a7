namespace RobustMq.Gateway.Nodes.Storage;

/// <summary>What a change (<c>offset commit</c>, <c>shard delete</c>) did in one backend of a node that holds the shard.</summary>
[GenerateSerializer, Immutable, Alias("robustmq.engine.change")]
public sealed record EngineChange(
    [property: Id(0)] string? Node,
    [property: Id(1)] string Backend,
    [property: Id(2)] EngineChangeOutcome Outcome,
    [property: Id(3)] long Low,
    [property: Id(4)] long Next,
    [property: Id(5)] EngineConsumer[] Consumers);
