namespace RobustMq.Storage;

/// <summary>
/// One change of a <see cref="StorageBatch"/>. <see cref="Target"/> is the shard (Append, Commit, TrimBefore,
/// DeleteShard) or the space (Put, Delete); <see cref="Key"/> the consumer (Commit) or the key (Put, Delete);
/// <see cref="Number"/> the timestamp in Unix ms (Append) or the offset (Commit, TrimBefore).
/// </summary>
public readonly record struct StorageOperation(StorageOperationKind Kind, string Target, string? Key, ReadOnlyMemory<byte> Value, long Number);
