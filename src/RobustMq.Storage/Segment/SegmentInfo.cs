namespace RobustMq.Storage.Segment;

/// <summary>
/// A segment file as one shard sees it (<see cref="SegmentStorageEngine.ListSegments"/>): the file (<see cref="FileName"/>,
/// <c>NNNNNNNNNNNNNNNNNNNN.seg</c>, named by its <see cref="FirstSequence"/>; <see cref="FileBytes"/> its length, shared
/// with every other shard and keyed value in it; <see cref="Active"/> when new records go to it) and the shard's kept
/// records in it: offsets <see cref="BaseOffset"/> .. <see cref="LastOffset"/>, <see cref="Records"/> of them,
/// <see cref="Bytes"/> of values, appended from <see cref="FirstTimestampUnixMs"/> to <see cref="LastTimestampUnixMs"/>.
/// </summary>
public sealed record SegmentInfo(
    string FileName,
    long FirstSequence,
    long BaseOffset,
    long LastOffset,
    long Records,
    long Bytes,
    long FirstTimestampUnixMs,
    long LastTimestampUnixMs,
    long FileBytes,
    bool Active);
