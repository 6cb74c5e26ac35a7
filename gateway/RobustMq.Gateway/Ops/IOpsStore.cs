namespace RobustMq.Gateway.Ops;

/// <summary>
/// Where the cluster-wide operations records live (traces, the slow subscriptions settings): keyed records in the node's
/// state storage engine (<c>Storage:Default</c>; with <c>Cluster:Mode=AdoNet</c> the cluster's PostgreSQL, so every node,
/// one that joins later too, reads the same). Implemented by the host; a host without one keeps them in memory.
/// </summary>
public interface IOpsStore
{
    /// <summary>The keyed space of traces: key the trace name, value a <see cref="TraceSpec"/> (JSON).</summary>
    public const string TraceSpace = "ops_trace";

    /// <summary>The keyed space of settings: key <c>slow_subs</c>, value <see cref="SlowSubsSettings"/> (JSON).</summary>
    public const string SettingsSpace = "ops_settings";

    /// <summary>Every record of <paramref name="space"/>, by key.</summary>
    /// <remarks>The host's storage faults (its <c>StorageException</c>) pass through.</remarks>
    Task<IReadOnlyList<KeyValuePair<string, byte[]>>> ListAsync(string space, CancellationToken cancellationToken = default);

    /// <summary>Stores (or replaces) one record.</summary>
    Task PutAsync(string space, string key, byte[] value, CancellationToken cancellationToken = default);

    /// <summary>Deletes one record; false when there was none.</summary>
    Task<bool> DeleteAsync(string space, string key, CancellationToken cancellationToken = default);
}
