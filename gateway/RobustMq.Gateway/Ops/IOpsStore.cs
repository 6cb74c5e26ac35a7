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

/// <summary>An <see cref="IOpsStore"/> in memory: for a host without storage (tests of the gateway alone).</summary>
public sealed class MemoryOpsStore : IOpsStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string, string), byte[]> _records = [];

    public Task<IReadOnlyList<KeyValuePair<string, byte[]>>> ListAsync(string space, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<KeyValuePair<string, byte[]>>>(
                [.. _records.Where(r => r.Key.Item1 == space).Select(r => KeyValuePair.Create(r.Key.Item2, r.Value)).OrderBy(r => r.Key, StringComparer.Ordinal)]);
        }
    }

    public Task PutAsync(string space, string key, byte[] value, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _records[(space, key)] = value;
        }

        return Task.CompletedTask;
    }

    public Task<bool> DeleteAsync(string space, string key, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_records.Remove((space, key)));
        }
    }
}
