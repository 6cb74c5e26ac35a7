namespace RobustMq.Gateway.Nodes.Storage;

/// <summary>
/// The answer of <c>offset by-timestamp</c> in one backend of a node that holds the shard: the first offset whose
/// record was appended at or after the time (null: none is), with the shard's bounds.
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.engine.offset")]
public sealed record EngineOffset(
    [property: Id(0)] string? Node,
    [property: Id(1)] string Backend,
    [property: Id(2)] long Low,
    [property: Id(3)] long Next,
    [property: Id(4)] long? Offset);
