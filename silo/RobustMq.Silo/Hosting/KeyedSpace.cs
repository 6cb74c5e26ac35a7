using RobustMq.Storage;

namespace RobustMq.Silo.Hosting;

/// <summary>What the admin stores (users, bans) do alike with one keyed record.</summary>
internal static class KeyedSpace
{
    /// <summary>Deletes <paramref name="key"/> of <paramref name="space"/>; false when there was no such record.</summary>
    public static async Task<bool> DeleteIfPresentAsync(IStorageEngine engine, string space, string key, CancellationToken cancellationToken)
    {
        if (await engine.GetAsync(space, key, cancellationToken) is null)
        {
            return false;
        }

        await engine.WriteAsync(new StorageBatch().Delete(space, key), cancellationToken);
        return true;
    }
}
