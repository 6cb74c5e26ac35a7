namespace RobustMq.Gateway.Nodes.Storage;

/// <summary>
/// A keyed space of one backend (<c>GET /api/v1/engine/spaces</c>): its <see cref="Name"/> (<c>sessions</c>,
/// <c>queue</c>, <c>retained</c>...), how many <see cref="Keys"/> it holds and the <see cref="ValueBytes"/> of their
/// values. <see cref="KeysAtLeast"/>: the backend stopped counting at its cap (1,000,000 keys, the storage engine's
/// <c>SpaceUsage.DefaultMaxKeys</c>), so both are lower bounds. <see cref="Node"/> is null for the shared PostgreSQL
/// store.
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.engine.space")]
public sealed record EngineSpace(
    [property: Id(0)] string? Node,
    [property: Id(1)] string Backend,
    [property: Id(2)] string Name,
    [property: Id(3)] long Keys,
    [property: Id(4)] long ValueBytes,
    [property: Id(5)] bool KeysAtLeast);
