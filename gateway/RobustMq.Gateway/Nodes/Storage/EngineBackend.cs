namespace RobustMq.Gateway.Nodes.Storage;

/// <summary>
/// A storage backend open on a node (<c>GET /api/v1/engine/backends</c>): <see cref="Backend"/> (<c>memory</c>,
/// <c>rocksdb</c>, <c>segment</c>, <c>postgres</c>), <see cref="Node"/> (null for the shared PostgreSQL store),
/// <see cref="Location"/> (its directory, or the server as <c>host:port/database schema</c>: never a password),
/// whether it is <c>Storage:Default</c>, the <c>Storage:Topics</c> filters that pick it, <see cref="Sync"/>
/// (<c>Storage:Sync</c>), <see cref="SizeBytes"/> (the files of its directory; PostgreSQL: its schema's tables; null
/// for Memory) and its number of <see cref="Shards"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.engine.backend")]
public sealed record EngineBackend(
    [property: Id(0)] string? Node,
    [property: Id(1)] string Backend,
    [property: Id(2)] string? Location,
    [property: Id(3)] bool IsDefault,
    [property: Id(4)] string[] TopicFilters,
    [property: Id(5)] string Sync,
    [property: Id(6)] long? SizeBytes,
    [property: Id(7)] long Shards);
