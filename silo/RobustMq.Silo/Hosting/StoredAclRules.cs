using RobustMq.Gateway.Security.BuiltInAcl;
using RobustMq.Grains.Storage;
using RobustMq.Storage;

namespace RobustMq.Silo.Hosting;

/// <summary>
/// The built-in ACL store (<see cref="IAclRuleStore"/>) in the node's state storage engine (<c>Storage:Default</c>):
/// keyed space <see cref="IAclRuleStore.Space"/>, key the subject (<c>all</c>, <c>user/{name}</c>, <c>client/{id}</c>),
/// value an <see cref="AclEntry"/>. With <c>Cluster:Mode=AdoNet</c> that engine is the cluster's PostgreSQL, so the
/// rules are the cluster's.
/// </summary>
internal sealed partial class StoredAclRules(StorageEngines storage, ILogger<StoredAclRules> logger) : IAclRuleStore
{
    public async Task<IReadOnlyList<AclEntry>> ListAsync(CancellationToken cancellationToken = default)
    {
        var entries = new List<AclEntry>();
        await foreach (var entry in storage.ForState().ScanAsync(IAclRuleStore.Space, "", cancellationToken))
        {
            try
            {
                entries.Add(AclEntry.Decode(entry.Value));
            }
            catch (FormatException ex)
            {
                LogUnreadable(logger, entry.Key, ex.Message);
            }
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Who, b.Who));
        return entries;
    }

    public async Task<AclEntry?> GetAsync(string who, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(who);
        if (await storage.ForState().GetAsync(IAclRuleStore.Space, who, cancellationToken) is not { } value)
        {
            return null;
        }

        try
        {
            return AclEntry.Decode(value);
        }
        catch (FormatException ex)
        {
            // Not "no rules": a change made on top of it would drop whatever the entry held.
            LogUnreadable(logger, who, ex.Message);
            throw new StorageException(StorageErrorKind.Corrupt, $"the stored ACL entry of '{who}' cannot be read: {ex.Message}", ex);
        }
    }

    public async Task PutAsync(AclEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await storage.ForState().WriteAsync(new StorageBatch().Put(IAclRuleStore.Space, entry.Who, entry.Encode()), cancellationToken);
    }

    public async Task<bool> DeleteAsync(string who, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(who);
        return await KeyedSpace.DeleteIfPresentAsync(storage.ForState(), IAclRuleStore.Space, who, cancellationToken);
    }

    [LoggerMessage(EventId = 4114, Level = LogLevel.Warning, Message = "Built-in ACL: record '{Key}' cannot be read and is left out: {Problem}")]
    private static partial void LogUnreadable(ILogger logger, string key, string problem);
}
