using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Routing;
using RobustMq.Gateway.Connections;
using RobustMq.Gateway.Hosting;
using RobustMq.Gateway.Metrics;
using RobustMq.Gateway.Routing;

namespace RobustMq.Gateway.Sys;

/// <summary>
/// Publishes this node's <c>$SYS</c> tree, retained, every <c>Sys:IntervalSeconds</c>: RobustMQ's and EMQX's topics
/// (<c>$SYS/brokers</c>, <c>$SYS/brokers/{node}/version|uptime|datetime|sysdescr</c>, <c>.../stats/...</c>,
/// <c>.../metrics/bytes|messages|packets/...</c>, <see cref="SysTree"/>) and this broker's earlier ones
/// (<c>clients/connected</c>, <c>messages/received|sent</c>, <c>subscriptions/count</c>). Those earlier ones, uptime and
/// datetime go out every tick; the rest when their value changed since this node last published it (each costs a
/// retained-store write, and the retained copy is current either way).
/// </summary>
public sealed partial class SysTopicPublisher(
    IMessageRouter router,
    NodeIdentity node,
    ConnectionRegistry connections,
    RouteCache routes,
    BrokerMetrics metrics,
    MetricsRefresher refresher,
    IClusterMembershipService membership,
    IOptions<SysOptions> options,
    TimeProvider clock,
    ILogger<SysTopicPublisher> logger) : BackgroundService
{
    private static readonly string Version =
        typeof(SysTopicPublisher).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.1.0";

    /// <summary>The topics (under <c>$SYS/brokers/{node}/</c>) published every tick whatever their value.</summary>
    private static readonly HashSet<string> EveryTick = new(StringComparer.Ordinal)
    {
        "version", "uptime", "datetime", "clients/connected", "messages/received", "messages/sent", "subscriptions/count",
    };

    private readonly Dictionary<string, string> _published = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.IntervalSeconds <= 0)
        {
            return;
        }

        var started = clock.GetTimestamp();
        var prefix = $"$SYS/brokers/{node.DisplayName}/";
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.IntervalSeconds), clock);
        do
        {
            try
            {
                var uptime = (long)clock.GetElapsedTime(started).TotalSeconds;
                var (current, max) = refresher.Refresh();
                var nodes = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active)
                    .Select(m => m.Name.Replace('/', '_').Replace('+', '_').Replace('#', '_')).Order(StringComparer.Ordinal).ToList();
                await Publish("$SYS/brokers", JsonSerializer.Serialize(nodes), always: false, stoppingToken);
                var tree = new SysTree(metrics, current, max, connections.Count, routes.Count);
                foreach (var (name, value) in tree.Values(Version, uptime, clock.GetUtcNow()))
                {
                    await Publish(prefix + name, value, EveryTick.Contains(name), stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSysFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task Publish(string topic, string value, bool always, CancellationToken cancellationToken)
    {
        if (!always && _published.TryGetValue(topic, out var last) && last == value)
        {
            return;
        }

        await router.PublishAsync(new BrokerMessage(topic, Encoding.UTF8.GetBytes(value), 0, true), cancellationToken);
        _published[topic] = value;
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Publishing $SYS topics failed")]
    private static partial void LogSysFailed(ILogger logger, Exception ex);
}
