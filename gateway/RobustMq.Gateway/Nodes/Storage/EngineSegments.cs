namespace RobustMq.Gateway.Nodes.Storage;

/// <summary>
/// The segments of a shard in one backend of a node that holds it; <see cref="Segments"/> is null when that backend
/// keeps no segment files (Memory, RocksDb, PostgreSQL).
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.engine.segments")]
public sealed record EngineSegments([property: Id(0)] string? Node, [property: Id(1)] string Backend, [property: Id(2)] EngineSegment[]? Segments);
