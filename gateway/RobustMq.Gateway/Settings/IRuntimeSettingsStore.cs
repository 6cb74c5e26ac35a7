namespace RobustMq.Gateway.Settings;

/// <summary>
/// The run-time settings an operator changed (<c>PUT /api/v1/configs</c>), durable in the node's state storage engine
/// (the cluster's PostgreSQL in a cluster): keyed space <see cref="Space"/>, key the setting's configuration key
/// (<c>Flapping:MaxConnects</c>), value its text.
/// </summary>
public interface IRuntimeSettingsStore
{
    /// <summary>The keyed storage space of the settings.</summary>
    const string Space = "runtime_config";

    /// <summary>Every stored setting, by key.</summary>
    Task<IReadOnlyDictionary<string, string>> ReadAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores <paramref name="settings"/> in one batch, replacing those with the same keys; a null value removes its key
    /// (the configured value applies again); completes once durable.
    /// </summary>
    Task WriteAsync(IReadOnlyDictionary<string, string?> settings, CancellationToken cancellationToken = default);
}
