using RobustMq.Gateway.Ops;
using RobustMq.Grains.Storage;
using RobustMq.Storage;

namespace RobustMq.Silo.Hosting;

/// <summary>
/// The operations records (<see cref="IOpsStore"/>: traces, slow subscriptions settings) in the node's state storage
/// engine (<c>Storage:Default</c>); with <c>Cluster:Mode=AdoNet</c> that is the cluster's PostgreSQL, so the records are
/// the cluster's.
/// </summary>
internal sealed class StoredOpsRecords(StorageEngines storage) : IOpsStore
{
    public async Task<IReadOnlyList<KeyValuePair<string, byte[]>>> ListAsync(string space, CancellationToken cancellationToken = default)
    {
        var records = new List<KeyValuePair<string, byte[]>>();
        await foreach (var entry in storage.ForState().ScanAsync(space, "", cancellationToken))
        {
            records.Add(KeyValuePair.Create(entry.Key, entry.Value));
        }

        return records;
    }

    public async Task PutAsync(string space, string key, byte[] value, CancellationToken cancellationToken = default) =>
        await storage.ForState().WriteAsync(new StorageBatch().Put(space, key, value), cancellationToken);

    public Task<bool> DeleteAsync(string space, string key, CancellationToken cancellationToken = default) =>
        KeyedSpace.DeleteIfPresentAsync(storage.ForState(), space, key, cancellationToken);
}
