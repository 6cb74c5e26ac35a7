using RobustMq.Gateway.Security.Blacklist;
using RobustMq.Grains.Storage;
using RobustMq.Storage;

namespace RobustMq.Silo.Hosting;

/// <summary>
/// The blacklist (<see cref="IBanStore"/>) in the node's state storage engine (<c>Storage:Default</c>): keyed space
/// <see cref="IBanStore.Space"/>, key <c>{kind}/{value}</c>, value a <see cref="Ban"/>. With <c>Cluster:Mode=AdoNet</c>
/// that engine is the cluster's PostgreSQL, so the bans are the cluster's.
/// </summary>
internal sealed partial class StoredBans(StorageEngines storage, ILogger<StoredBans> logger) : IBanStore
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
                // One record this version cannot read (a newer version's kind, a pattern it cannot run) must not take
                // the whole list down: it is left out, and said.
                LogUnreadable(logger, entry.Key, ex.Message);
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

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning, Message = "Blacklist: record '{Key}' cannot be read and is left out: {Problem}")]
    private static partial void LogUnreadable(ILogger logger, string key, string problem);
}
