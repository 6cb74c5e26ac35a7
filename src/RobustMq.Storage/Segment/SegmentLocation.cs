namespace RobustMq.Storage.Segment;

/// <summary>
/// Where a value lies in the log: <see cref="File"/>, the byte <see cref="Position"/> of its first byte there and its
/// <see cref="Length"/>; <see cref="Timestamp"/> (Unix ms) for shard records, 0 for keyed values.
/// </summary>
internal readonly record struct SegmentLocation(SegmentFile File, long Position, int Length, long Timestamp);
