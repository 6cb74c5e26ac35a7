namespace RobustMq.Gateway.Nodes.Storage;

/// <summary>
/// A shard of one backend (<c>GET /api/v1/engine/shards</c>): its kept records are <see cref="Low"/> ..
/// <see cref="Next"/> - 1; <see cref="Consumers"/> are the committed offsets (the next offset each wants), by
/// consumer. <see cref="Node"/> is null for the shared PostgreSQL store.
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.engine.shard")]
public sealed record EngineShard(
    [property: Id(0)] string? Node,
    [property: Id(1)] string Backend,
    [property: Id(2)] string Name,
    [property: Id(3)] long Low,
    [property: Id(4)] long Next,
    [property: Id(5)] EngineConsumer[] Consumers);
