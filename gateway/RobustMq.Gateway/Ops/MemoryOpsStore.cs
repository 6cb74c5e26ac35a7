namespace RobustMq.Gateway.Ops;

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
