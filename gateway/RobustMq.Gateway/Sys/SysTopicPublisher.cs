using System.Globalization;
using System.Reflection;
using System.Text;
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

/// <summary>Publishes this node's <c>$SYS/brokers/{node}/...</c> topics (retained) every <c>Sys:IntervalSeconds</c>.</summary>
public sealed partial class SysTopicPublisher(
    IMessageRouter router,
    NodeIdentity node,
    ConnectionRegistry connections,
    RouteCache routes,
    BrokerMetrics metrics,
    IOptions<SysOptions> options,
    TimeProvider clock,
    ILogger<SysTopicPublisher> logger) : BackgroundService
{
    private static readonly string Version =
        typeof(SysTopicPublisher).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.1.0";

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
                await Publish(prefix + "version", "RobustMq.Orleans " + Version, stoppingToken);
                await Publish(prefix + "uptime", uptime.ToString(CultureInfo.InvariantCulture), stoppingToken);
                await Publish(prefix + "clients/connected", connections.Count.ToString(CultureInfo.InvariantCulture), stoppingToken);
                await Publish(prefix + "messages/received", ((long)metrics.MessagesReceived.Value).ToString(CultureInfo.InvariantCulture), stoppingToken);
                await Publish(prefix + "messages/sent", ((long)metrics.MessagesSent.Value).ToString(CultureInfo.InvariantCulture), stoppingToken);
                await Publish(prefix + "subscriptions/count", routes.Count.ToString(CultureInfo.InvariantCulture), stoppingToken);
                metrics.Subscriptions.Set(routes.Count);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSysFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task Publish(string topic, string value, CancellationToken cancellationToken) =>
        await router.PublishAsync(new BrokerMessage(topic, Encoding.UTF8.GetBytes(value), 0, true), cancellationToken);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Publishing $SYS topics failed")]
    private static partial void LogSysFailed(ILogger logger, Exception ex);
}
