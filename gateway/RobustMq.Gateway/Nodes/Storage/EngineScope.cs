namespace RobustMq.Gateway.Nodes.Storage;

/// <summary>
/// Which stores a node's answer to the storage engine API covers (<see cref="INodeStorage"/>). Per-node backends
/// (Memory, RocksDb, Segment) answer on every node, or only on <see cref="Node"/> when set; the shared one
/// (PostgreSQL, the same database from every node) answers once: on <see cref="Node"/> when set, else on
/// <see cref="SharedBy"/> (the node serving the API request).
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.engine.scope")]
public sealed record EngineScope([property: Id(0)] string? Node, [property: Id(1)] string SharedBy)
{
    /// <summary>Whether node <paramref name="name"/> answers at all.</summary>
    public bool Includes(string name) => Node is null || Node == name;

    /// <summary>Whether node <paramref name="name"/> answers for the shared backend.</summary>
    public bool IncludesShared(string name) => (Node ?? SharedBy) == name;
}
