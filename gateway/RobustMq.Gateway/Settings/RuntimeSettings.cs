using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RobustMq.Abstractions.Options;
using RobustMq.Gateway.Security;
using RobustMq.Gateway.Security.Blacklist;
using RobustMq.Gateway.Security.Cluster;

namespace RobustMq.Gateway.Settings;

/// <summary>
/// The settings that may change while the cluster runs (<c>GET/PUT /api/v1/configs</c>), each applied where the node
/// reads it, so no restart is needed:
/// <list type="bullet">
/// <item><c>Flapping:Enabled</c>, <c>Flapping:MaxConnects</c>, <c>Flapping:WindowSeconds</c>, <c>Flapping:BanSeconds</c>:
/// the next CONNECT is counted with them (<see cref="FlappingDetector"/>).</item>
/// <item><c>Mqtt:MaxMessageRate</c>, <c>Mqtt:MaxByteRate</c>: for connections made from then on (a connection takes its
/// rate limits as it starts).</item>
/// <item><c>Acl:NoMatch</c> (<c>allow</c> or <c>deny</c>): the node's rules are made again with it and every connected
/// client follows them (<see cref="AclFile.ApplyNoMatch"/>).</item>
/// </list>
/// A change is stored (<see cref="IRuntimeSettingsStore"/>) before it is applied, then every node is told
/// (<see cref="INodeControlGrain.ConfigChanged"/>) and reads the store; a node that starts, or joins, reads it too, so
/// the stored values win over the configuration files after a restart (when the store is durable: not with
/// <c>Storage:Default=Memory</c>). A stored value removed (a PUT with <c>null</c>) gives way to the configured one
/// (the value this node started with from its files and environment) on every node. Values are checked as start-up
/// checks the configuration (the same ranges).
/// </summary>
public sealed partial class RuntimeSettings(
    IRuntimeSettingsStore? store,
    FlappingDetector flapping,
    MqttOptions mqtt,
    AclFile acl,
    NodeNotices notices,
    TimeProvider clock,
    ILogger<RuntimeSettings> logger) : IHostedService, IDisposable
{
    private readonly SemaphoreSlim _reloading = new(1, 1);

    /// <summary>
    /// The values this node started with (files and environment), as text: what applies when no value is stored. Taken
    /// at the first <see cref="ReloadAsync"/>, before anything was applied.
    /// </summary>
    private Dictionary<string, string>? _configured;
    private StoreFollower? _follower;

    /// <summary>The keys that may change at run time, in the order they are shown.</summary>
    public static readonly IReadOnlyList<string> Keys =
    [
        "Flapping:Enabled", "Flapping:MaxConnects", "Flapping:WindowSeconds", "Flapping:BanSeconds",
        "Mqtt:MaxMessageRate", "Mqtt:MaxByteRate", "Acl:NoMatch",
    ];

    /// <summary>Whether the settings can be changed on this host (it has a store).</summary>
    public bool CanStore => store is not null;

    /// <summary>The value in force on this node of each key of <see cref="Keys"/> (bool, long or string).</summary>
    public IReadOnlyDictionary<string, object> Current() => Current(flapping, mqtt, acl);

    private static Dictionary<string, object> Current(FlappingDetector flapping, MqttOptions mqtt, AclFile acl)
    {
        var options = flapping.Options;
        return new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["Flapping:Enabled"] = options.Enabled,
            ["Flapping:MaxConnects"] = options.MaxConnects,
            ["Flapping:WindowSeconds"] = options.WindowSeconds,
            ["Flapping:BanSeconds"] = options.BanSeconds,
            ["Mqtt:MaxMessageRate"] = mqtt.MaxMessageRate,
            ["Mqtt:MaxByteRate"] = mqtt.MaxByteRate,
            ["Acl:NoMatch"] = acl.NoMatch,
        };
    }

    /// <summary>
    /// The problem with setting <paramref name="key"/> to <paramref name="value"/> (a JSON value's text: <c>true</c>,
    /// <c>15</c>, <c>deny</c>), naming the key, or null when it may be set.
    /// </summary>
    public static string? Problem(string key, string? value) => key switch
    {
        "Flapping:Enabled" => bool.TryParse(value, out _) ? null : $"{key} must be true or false (got '{value}')",
        "Flapping:MaxConnects" or "Flapping:WindowSeconds" or "Flapping:BanSeconds" =>
            int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 ? null : $"{key} must be 1 or more (got '{value}')",
        "Mqtt:MaxMessageRate" =>
            int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? null : $"{key} must be 0-{int.MaxValue} (got '{value}')",
        "Mqtt:MaxByteRate" =>
            long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? null : $"{key} must be 0 or more (got '{value}')",
        "Acl:NoMatch" => value?.ToLowerInvariant() is "allow" or "deny" ? null : $"{key} must be allow or deny (got '{value}')",
        _ => $"'{key}' cannot change at run time (these can: {string.Join(", ", Keys)})",
    };

    /// <summary>
    /// Stores <paramref name="settings"/> (checked with <see cref="Problem"/> first; a null value removes the stored
    /// one, so the configured value applies again), applies them here and tells every other node; returns how many nodes
    /// could not be told or could not apply them (they read the store at their next refresh, 30 s).
    /// </summary>
    /// <exception cref="ArgumentException">A setting that may not be set; nothing was stored.</exception>
    /// <exception cref="RobustMq.Storage.StorageException">The store could not be written; nothing changed.</exception>
    public async Task<int> ChangeAsync(IReadOnlyDictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var (key, value) in settings)
        {
            if ((value is null ? (Keys.Contains(key) ? null : Problem(key, null)) : Problem(key, value)) is { } problem)
            {
                throw new ArgumentException(problem, nameof(settings));
            }
        }

        await Store.WriteAsync(settings, cancellationToken);
        return await notices.TellAllAsync(n => n.ConfigChanged());
    }

    /// <summary>
    /// Reads the stored settings and applies each (one that does not pass <see cref="Problem"/> is logged and left as it
    /// is).
    /// </summary>
    /// <exception cref="InvalidOperationException">A setting could not be applied here (<c>Acl:NoMatch</c> with an ACL
    /// file that no longer reads): the others were; the node keeps the old value in force and tries again at the next
    /// reload.</exception>
    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        if (store is null)
        {
            return;
        }

        await _reloading.WaitAsync(cancellationToken);
        try
        {
            _configured ??= Configured(flapping, mqtt, acl);
            var notApplied = new List<string>();
            var stored = await store.ReadAsync(cancellationToken);
            foreach (var (key, value) in _configured)
            {
                // No stored value (never set, or removed): the configured one is in force again.
                if (!stored.ContainsKey(key) && !Apply(key, value))
                {
                    notApplied.Add(key);
                }
            }

            foreach (var (key, value) in stored)
            {
                if (Problem(key, value) is { } problem)
                {
                    LogBadSetting(logger, key, problem);
                    continue;
                }

                if (!Apply(key, value))
                {
                    notApplied.Add(key);
                }
            }

            if (notApplied.Count > 0)
            {
                // The caller (a PUT telling every node) counts this node among those not told.
                throw new InvalidOperationException($"this node could not apply {string.Join(", ", notApplied)} (see its log); the values in force stay");
            }
        }
        finally
        {
            _reloading.Release();
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (store is null)
        {
            return;
        }

        _follower = await StoreFollower.StartAsync(notices, clock, "Run-time settings", ReloadAsync, n => n.ConfigChanged(), ex => LogReloadFailed(logger, ex), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _follower?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public void Dispose()
    {
        _follower?.Dispose();
        _reloading.Dispose();
    }

    private static Dictionary<string, string> Configured(FlappingDetector flapping, MqttOptions mqtt, AclFile acl) =>
        Current(flapping, mqtt, acl).ToDictionary(
            e => e.Key,
            e => e.Value switch
            {
                bool b => b ? "true" : "false",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                var v => v.ToString() ?? "",
            },
            StringComparer.Ordinal);

    private IRuntimeSettingsStore Store => store ?? throw new InvalidOperationException("this host has no settings store");

    /// <summary>Puts <paramref name="key"/>'s value in force; false when it could not be (the old one stays).</summary>
    private bool Apply(string key, string value)
    {
        var options = flapping.Options;
        switch (key)
        {
            case "Flapping:Enabled":
                options.Enabled = bool.Parse(value);
                break;
            case "Flapping:MaxConnects":
                options.MaxConnects = int.Parse(value, CultureInfo.InvariantCulture);
                break;
            case "Flapping:WindowSeconds":
                options.WindowSeconds = int.Parse(value, CultureInfo.InvariantCulture);
                break;
            case "Flapping:BanSeconds":
                options.BanSeconds = int.Parse(value, CultureInfo.InvariantCulture);
                break;
            case "Mqtt:MaxMessageRate":
                mqtt.MaxMessageRate = int.Parse(value, CultureInfo.InvariantCulture);
                break;
            case "Mqtt:MaxByteRate":
                mqtt.MaxByteRate = long.Parse(value, CultureInfo.InvariantCulture);
                break;
            case "Acl:NoMatch":
                return acl.ApplyNoMatch(value.ToLowerInvariant());
        }

        return true;
    }

    [LoggerMessage(EventId = 4191, Level = LogLevel.Warning, Message = "Run-time settings: the stored {Key} is left as it is: {Problem}")]
    private static partial void LogBadSetting(ILogger logger, string key, string problem);

    [LoggerMessage(EventId = 4192, Level = LogLevel.Warning, Message = "Run-time settings could not be read or applied; the values in force stay until the next refresh")]
    private static partial void LogReloadFailed(ILogger logger, Exception ex);
}
