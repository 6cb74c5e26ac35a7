namespace RobustMq.Gateway.Nodes.Storage;

/// <summary>
/// A node's storage engines as the admin API sees and steers them (<c>/api/v1/engine</c>, docs/operations.md), asked
/// through <see cref="INodeControlGrain"/>; implemented by the silo over its open engines. Every method answers for
/// the backends <paramref name="scope"/> gives this node, one item per backend that holds the shard asked about.
/// </summary>
public interface INodeStorage
{
    /// <summary>The backends open on this node.</summary>
    Task<EngineBackend[]> BackendsAsync(EngineScope scope);

    /// <summary>The shards whose names start with <paramref name="prefix"/>: how many, and the first <paramref name="take"/> by name then backend.</summary>
    Task<EngineShardPage> ShardsAsync(EngineScope scope, string prefix, int take);

    /// <summary>
    /// The keyed spaces that hold keys, in each backend (only backend <paramref name="backend"/> when set: <c>memory</c>,
    /// <c>rocksdb</c>, <c>segment</c>, <c>postgres</c>), by backend then name.
    /// </summary>
    Task<EngineSpace[]> SpacesAsync(EngineScope scope, string? backend);

    /// <summary>The shard <paramref name="name"/> in each backend that holds it (with its consumers' committed offsets).</summary>
    Task<EngineShard[]> ShardAsync(EngineScope scope, string name);

    /// <summary>The segment files of shard <paramref name="name"/> in each backend that holds it.</summary>
    Task<EngineSegments[]> SegmentsAsync(EngineScope scope, string name);

    /// <summary>The first offset of shard <paramref name="name"/> appended at or after <paramref name="timestampMs"/> (Unix ms), in each backend that holds it.</summary>
    Task<EngineOffset[]> OffsetByTimestampAsync(EngineScope scope, string name, long timestampMs);

    /// <summary>
    /// Sets <paramref name="consumer"/>'s committed offset of shard <paramref name="name"/> in each backend that holds
    /// it, where <paramref name="offset"/> lies in its low .. next (<see cref="EngineChangeOutcome.OutOfRange"/> otherwise).
    /// </summary>
    Task<EngineChange[]> CommitAsync(EngineScope scope, string name, string consumer, long offset);

    /// <summary>
    /// Deletes shard <paramref name="name"/> (records and committed offsets) in each backend that holds it; one with a
    /// consumer whose committed offset is below its next is left (<see cref="EngineChangeOutcome.InUse"/>) unless
    /// <paramref name="force"/>.
    /// </summary>
    Task<EngineChange[]> DeleteShardAsync(EngineScope scope, string name, bool force);
}
