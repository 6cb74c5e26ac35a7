namespace RobustMq.Storage.Segment;

/// <summary>
/// One operation of a Segment log record, as written and as read back. <see cref="Kind"/> is a
/// <see cref="StorageOperationKind"/> or <see cref="SegmentRecordFormat.ShardStateKind"/>. <see cref="Target"/> is the
/// shard or space; <see cref="Key"/> the consumer or key; <see cref="Number"/> the offset (Append: the offset given,
/// Commit, TrimBefore, ShardState: the low); <see cref="Number2"/> the timestamp (Append, Unix ms) or the next
/// offset (ShardState). <see cref="Value"/> is the value to write (encoding only); <see cref="ValuePosition"/> and
/// <see cref="ValueLength"/> locate the value inside the record's frame (bytes from the frame's first header byte).
/// <see cref="Commits"/> are the committed offsets of a ShardState.
/// </summary>
internal readonly record struct LogOp(
    byte Kind,
    string Target,
    string? Key,
    long Number,
    long Number2,
    ReadOnlyMemory<byte> Value,
    int ValuePosition,
    int ValueLength,
    KeyValuePair<string, long>[]? Commits);
