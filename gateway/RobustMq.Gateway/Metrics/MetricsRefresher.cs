using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RobustMq.Abstractions.Retained;
using RobustMq.Gateway.Connections;
using RobustMq.Gateway.Routing;

namespace RobustMq.Gateway.Metrics;

/// <summary>
/// Sets the gauges that need a walk (<c>mqtt_connections_count</c>, <c>mqtt_sessions_count</c>, the route table's
/// counts, <c>mqtt_retained_count</c>) and keeps each count's highest value since start (<c>$SYS .../max</c>). The walks
/// run before a scrape or a <c>$SYS</c> tick, at most once a second; the retained count, which asks the retained store
/// shards, every <see cref="RetainedInterval"/> in the background. Topic metrics' rates are sampled here too.
/// </summary>
public sealed partial class MetricsRefresher : IHostedService, IDisposable
{
    /// <summary>How often the retained store shards are asked for their counts.</summary>
    public static readonly TimeSpan RetainedInterval = TimeSpan.FromSeconds(5);

    private readonly BrokerMetrics _metrics;
    private readonly ConnectionRegistry _connections;
    private readonly RouteCache _routes;
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _clock;
    private readonly ILogger<MetricsRefresher> _logger;
    private readonly Lock _lock = new();
    private long _lastWalk;
    private ITimer? _timer;
    private NodeStats _current = new(0, 0, 0, 0, 0, 0, 0, 0);
    private NodeStats _max = new(0, 0, 0, 0, 0, 0, 0, 0);

    public MetricsRefresher(BrokerMetrics metrics, ConnectionRegistry connections, RouteCache routes, IGrainFactory grains, TimeProvider clock, ILogger<MetricsRefresher> logger)
    {
        _metrics = metrics;
        _connections = connections;
        _routes = routes;
        _grains = grains;
        _clock = clock;
        _logger = logger;
        metrics.Registry.AddBeforeCollectCallback(() => Refresh());
    }

    /// <summary>The counts now (walked at most once a second) and the highest of each since start.</summary>
    public (NodeStats Current, NodeStats Max) Refresh()
    {
        lock (_lock)
        {
            var now = _clock.GetTimestamp();
            if (_lastWalk != 0 && _clock.GetElapsedTime(_lastWalk, now) < TimeSpan.FromSeconds(1))
            {
                return (_current, _max);
            }

            _lastWalk = now;
            var sessions = 0;
            foreach (var connection in _connections.Connections)
            {
                if (connection.ConnectedAt is not null && !connection.IsClosing)
                {
                    sessions++;
                }
            }

            var routes = _routes.Snapshot();
            var filters = new HashSet<string>(StringComparer.Ordinal);
            var subscribers = new HashSet<string>(StringComparer.Ordinal);
            var shared = 0;
            foreach (var route in routes)
            {
                filters.Add(route.Filter);
                subscribers.Add(route.ClientId);
                if (route.ShareGroup is not null)
                {
                    shared++;
                }
            }

            _current = new NodeStats(_connections.Count, sessions, filters.Count, routes.Count, subscribers.Count, routes.Count, shared, (long)_metrics.RetainedCount.Value);
            _max = NodeStats.Max(_max, _current);
            _metrics.ConnectionsCount.Set(_current.Connections);
            _metrics.SessionsCount.Set(sessions);
            _metrics.SubscriptionsCount.Set(routes.Count);
            _metrics.SubscriptionsShared.Set(shared);
            _metrics.SubscriptionsExclusive.Set(routes.Count - shared);
            _metrics.SubscribersCount.Set(subscribers.Count);
            _metrics.TopicsCount.Set(filters.Count);
            _metrics.Subscriptions.Set(routes.Count);
            return (_current, _max);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // The first count waits one interval: the retained store shards are not activated while the silo starts.
        _timer = _clock.CreateTimer(_ => _ = CountRetainedAsync(), null, RetainedInterval, RetainedInterval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    private async Task CountRetainedAsync()
    {
        try
        {
            var counts = new Task<int>[RetainedShards.Count];
            for (var shard = 0; shard < counts.Length; shard++)
            {
                counts[shard] = _grains.GetGrain<IRetainedStoreGrain>(shard).Count().WaitAsync(TimeSpan.FromSeconds(5));
            }

            var total = 0L;
            foreach (var count in await Task.WhenAll(counts))
            {
                total += count;
            }

            _metrics.RetainedCount.Set(total);
        }
        catch (Exception ex) when (ex is not ObjectDisposedException)
        {
            // Grains not placeable yet (start-up) or a shard slow: the gauge keeps its last value.
            LogRetainedCountFailed(_logger, ex.Message);
        }

        _metrics.Topics.SampleRates(_clock.GetTimestamp(), _clock);
    }

    [LoggerMessage(EventId = 7003, Level = LogLevel.Debug, Message = "Counting retained messages failed: {Problem}")]
    private static partial void LogRetainedCountFailed(ILogger logger, string problem);
}
