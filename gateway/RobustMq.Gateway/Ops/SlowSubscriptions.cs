using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RobustMq.Gateway.Hosting;
using RobustMq.Gateway.Nodes;
using RobustMq.Gateway.Security.Cluster;

namespace RobustMq.Gateway.Ops;

/// <summary>
/// This node's slow subscriptions (EMQX's <c>slow_subs</c>, RobustMQ's <c>slow-subscribe</c>): per subscriber and
/// topic, the time from a message's arrival at the broker (<see cref="RobustMq.Abstractions.Messages.BrokerMessage.ArrivedAtUnixMs"/>)
/// to its acknowledgement by the subscriber (PUBACK for QoS 1, PUBCOMP for QoS 2; for QoS 0, when it is written to the
/// socket). Deliveries slower than <c>threshold_ms</c> are kept, the top K over <c>expire_interval_s</c>
/// (<see cref="SlowSubsTopK"/>). Retained messages sent at SUBSCRIBE and messages read back from storage are not
/// measured (their arrival is long past, or not known). Disabled, a connection pays one volatile read per
/// acknowledgement (<see cref="Enabled"/>); enabled, one clock read, and a node-wide lock only for a slow delivery
/// that enters the top K (one no slower than the least slow kept, when K are kept, is skipped without it). Pairs are
/// expired every second by a timer (and when listed), never by a connection.
/// The span mixes two clocks when the publisher and the subscriber are on different nodes (the arrival is stamped by
/// the publisher's node): the cluster's clocks must be synchronised (NTP); a negative span is dropped.
/// </summary>
public sealed partial class SlowSubscriptions(
    IOptions<SlowSubsOptions> options,
    IOpsStore store,
    NodeNotices notices,
    NodeIdentity node,
    TimeProvider clock,
    ILogger<SlowSubscriptions> logger) : IHostedService, IDisposable
{
    private readonly Lock _lock = new();
    private volatile bool _enabled = options.Value.Enable;
    private volatile SlowSubsSettings _settings = options.Value.ToSettings();
    private SlowSubsTopK _top = new(options.Value.TopK, options.Value.ExpireIntervalSeconds * 1000);
    // A copy of _top.Floor, written under _lock, read without it.
    private long _floor;
    private StoreFollower? _follower;
    private ITimer? _expiry;

    /// <summary>Whether deliveries are measured now.</summary>
    public bool Enabled => _enabled;

    /// <summary>The settings in force on this node.</summary>
    public SlowSubsSettings Settings => _settings;

    /// <summary>
    /// A delivery to <paramref name="clientId"/> of a message on <paramref name="topic"/> that arrived at
    /// <paramref name="arrivedAtUnixMs"/> was acknowledged now (call only when <see cref="Enabled"/>).
    /// </summary>
    public void Acknowledged(string? clientId, string? topic, long arrivedAtUnixMs)
    {
        if (arrivedAtUnixMs == 0 || clientId is null || topic is null)
        {
            return;
        }

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var span = now - arrivedAtUnixMs;
        if (span < _settings.ThresholdMs || span <= Volatile.Read(ref _floor))
        {
            // Not slow, or no slower than the least slow of a full top K (a negative span, from clocks apart, is never slow).
            return;
        }

        lock (_lock)
        {
            _top.Record(clientId, topic, span, now);
            Volatile.Write(ref _floor, _top.Floor);
        }
    }

    /// <summary>Forgets the pairs not slow again within the window (the timer's work, every second).</summary>
    internal void Expire()
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_lock)
        {
            _top.Expire(now);
            Volatile.Write(ref _floor, _top.Floor);
        }
    }

    /// <summary>This node's slowest pairs now, slowest first.</summary>
    public List<SlowSubscription> List()
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_lock)
        {
            var list = _top.Snapshot(now);
            Volatile.Write(ref _floor, _top.Floor);
            return [.. list.Select(s => s with { Node = node.Name })];
        }
    }

    /// <summary>Forgets this node's slow pairs.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _top.Clear();
            Volatile.Write(ref _floor, 0);
        }
    }

    /// <summary>Stores <paramref name="settings"/> for the cluster and has every node apply them; returns how many nodes could not be told.</summary>
    public async Task<int> PutSettingsAsync(SlowSubsSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await store.PutAsync(IOpsStore.SettingsSpace, SlowSubsSettings.Key, settings.Encode(), cancellationToken);
        LogSettings(logger, settings.Enable, settings.ThresholdMs, settings.TopK, settings.ExpireIntervalSeconds);
        return await notices.TellAllAsync(TellChanged);
    }

    /// <summary>Reads the stored settings again (none stored: the <c>SlowSubs</c> section's) and applies them.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.Value.ToSettings();
        foreach (var (key, value) in await store.ListAsync(IOpsStore.SettingsSpace, cancellationToken))
        {
            if (key == SlowSubsSettings.Key)
            {
                try
                {
                    settings = SlowSubsSettings.Decode(value);
                }
                catch (FormatException ex)
                {
                    LogUnreadable(logger, ex.Message);
                }
            }
        }

        Apply(settings);
    }

    /// <summary>Puts <paramref name="settings"/> in force on this node; the pairs kept stay (within the new K).</summary>
    internal void Apply(SlowSubsSettings settings)
    {
        lock (_lock)
        {
            var old = _settings;
            _settings = settings;
            _enabled = settings.Enable;
            if (old.TopK != settings.TopK || old.ExpireIntervalSeconds != settings.ExpireIntervalSeconds)
            {
                var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
                var kept = _top.Snapshot(now);
                _top = new SlowSubsTopK(settings.TopK, settings.ExpireIntervalSeconds * 1000);
                foreach (var s in kept)
                {
                    _top.Record(s.ClientId, s.Topic, s.TimespanMs, s.LastUpdateUnixMs);
                }

                Volatile.Write(ref _floor, _top.Floor);
            }
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _follower = await StoreFollower.StartAsync(notices, clock, "Slow subscriptions", ReloadAsync, TellChanged, ex => LogReloadFailed(logger, ex), cancellationToken);
        _expiry = clock.CreateTimer(_ => Expire(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _expiry?.Dispose();
        return _follower?.StopAsync(cancellationToken) ?? Task.CompletedTask;
    }

    public void Dispose()
    {
        _expiry?.Dispose();
        _follower?.Dispose();
    }

    private static Task TellChanged(INodeControlGrain node) => node.SlowSubsChanged();

    [LoggerMessage(EventId = 8411, Level = LogLevel.Information, Message = "Slow subscriptions: enable {Enable}, threshold {ThresholdMs} ms, top {TopK}, window {ExpireIntervalSeconds} s")]
    private static partial void LogSettings(ILogger logger, bool enable, long thresholdMs, int topK, long expireIntervalSeconds);

    [LoggerMessage(EventId = 8412, Level = LogLevel.Warning, Message = "Slow subscriptions: the stored settings could not be read; those in force stay until the next refresh")]
    private static partial void LogReloadFailed(ILogger logger, Exception ex);

    [LoggerMessage(EventId = 8413, Level = LogLevel.Warning, Message = "Slow subscriptions: the stored settings cannot be read and are ignored: {Problem}")]
    private static partial void LogUnreadable(ILogger logger, string problem);
}
