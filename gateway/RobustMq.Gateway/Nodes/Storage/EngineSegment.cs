namespace RobustMq.Gateway.Nodes.Storage;

/// <summary>
/// A segment file of the Segment backend as one shard sees it (<c>GET /api/v1/engine/segments</c>): the file name
/// (named by the log sequence of its first record), the shard's offsets in it (<see cref="BaseOffset"/> ..
/// <see cref="LastOffset"/>), how many records and value bytes of the shard it holds, their first and last append
/// times (Unix ms), the file's length (shared with other shards and keyed values) and whether new records go to it.
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.engine.segment")]
public sealed record EngineSegment(
    [property: Id(0)] string FileName,
    [property: Id(1)] long BaseOffset,
    [property: Id(2)] long LastOffset,
    [property: Id(3)] long Records,
    [property: Id(4)] long Bytes,
    [property: Id(5)] long FirstTimestampMs,
    [property: Id(6)] long LastTimestampMs,
    [property: Id(7)] long FileBytes,
    [property: Id(8)] bool Active);
