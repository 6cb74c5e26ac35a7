using RobustMq.Gateway.Security.Blacklist;
using RobustMq.Grains.Storage;
using RobustMq.Storage;

namespace RobustMq.Silo.Hosting;

/// <summary>
/// The blacklist (<see cref="IBanStore"/>) in the node's state storage engine (<c>Storage:Default</c>): keyed space
/// <see cref="IBanStore.Space"/>, key <c>{kind}/{value}</c>, value a <see cref="Ban"/>. With <c>Cluster:Mode=AdoNet</c>
/// that engine is the cluster's PostgreSQL, so the bans are the cluster's.
/// </summary>
internal sealed class StoredBans(StorageEngines storage) : IBanStore
{
    public async Task<IReadOnlyList<Ban>> ListAsync(CancellationToken cancellationToken = default)
    {
        var bans = new List<Ban>();
        await foreach (var entry in storage.ForState().ScanAsync(IBanStore.Space, "", cancellationToken))
        {
            try
            {
                bans.Add(Ban.Decode(entry.Value));
            }
            catch (FormatException ex)
            {
                throw new StorageException(StorageErrorKind.Corrupt, $"blacklist '{entry.Key}': {ex.Message}");
            }
        }

        return bans;
    }

    public async Task PutAsync(Ban ban, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ban);
        await storage.ForState().WriteAsync(new StorageBatch().Put(IBanStore.Space, ban.Key, ban.Encode()), cancellationToken);
    }

    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return await KeyedSpace.DeleteIfPresentAsync(storage.ForState(), IBanStore.Space, key, cancellationToken);
    }
}
