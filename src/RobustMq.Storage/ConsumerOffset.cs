namespace RobustMq.Storage;

/// <summary>A consumer of a shard and the offset it committed: the next offset it wants (Kafka's committed offset).</summary>
public readonly record struct ConsumerOffset(string Consumer, long Offset);
