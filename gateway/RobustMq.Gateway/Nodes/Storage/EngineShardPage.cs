namespace RobustMq.Gateway.Nodes.Storage;

/// <summary>A node's shards that a listing selects: how many (<see cref="Count"/>) and the first ones by name then backend.</summary>
[GenerateSerializer, Immutable, Alias("robustmq.engine.shardpage")]
public sealed record EngineShardPage([property: Id(0)] long Count, [property: Id(1)] EngineShard[] Shards);
