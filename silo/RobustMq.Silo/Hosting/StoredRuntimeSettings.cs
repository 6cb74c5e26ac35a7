using System.Text;
using RobustMq.Gateway.Settings;
using RobustMq.Grains.Storage;
using RobustMq.Storage;

namespace RobustMq.Silo.Hosting;

/// <summary>
/// The run-time settings (<see cref="IRuntimeSettingsStore"/>) in the node's state storage engine (<c>Storage:Default</c>;
/// the cluster's PostgreSQL with <c>Cluster:Mode=AdoNet</c>): keyed space <see cref="IRuntimeSettingsStore.Space"/>, key
/// the configuration key, value its UTF-8 text.
/// </summary>
internal sealed class StoredRuntimeSettings(StorageEngines storage) : IRuntimeSettingsStore
{
    public async Task<IReadOnlyDictionary<string, string>> ReadAsync(CancellationToken cancellationToken = default)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var entry in storage.ForState().ScanAsync(IRuntimeSettingsStore.Space, "", cancellationToken))
        {
            settings[entry.Key] = Encoding.UTF8.GetString(entry.Value);
        }

        return settings;
    }

    public async Task WriteAsync(IReadOnlyDictionary<string, string?> settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var batch = new StorageBatch();
        foreach (var (key, value) in settings)
        {
            if (value is null)
            {
                batch.Delete(IRuntimeSettingsStore.Space, key);
            }
            else
            {
                batch.Put(IRuntimeSettingsStore.Space, key, Encoding.UTF8.GetBytes(value));
            }
        }

        await storage.ForState().WriteAsync(batch, cancellationToken);
    }
}
