namespace RobustMq.Storage;

/// <summary>A record of a shard: its offset, the timestamp it was appended with (Unix ms) and its bytes.</summary>
public readonly record struct StoredRecord(long Offset, long TimestampUnixMs, ReadOnlyMemory<byte> Value);
