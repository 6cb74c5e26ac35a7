using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Gateway.Metrics;
using RobustMq.Gateway.Routing;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Retain;

/// <summary>
/// A retained message that finds no subscriber is stored, not dropped: neither the broker's own retained
/// <c>$SYS</c> publications nor a client's retained publish count in <c>robustmq_messages_dropped_total{reason="no_subscribers"}</c>.
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class RetainedDropCountTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    private double NoSubscriberDrops => broker.Services.GetRequiredService<BrokerMetrics>().MessagesDropped.WithLabels("no_subscribers").Value;

    [Fact]
    public async Task Sys_ticks_of_an_idle_broker_count_no_drops()
    {
        // The fixture publishes $SYS every second (Sys:IntervalSeconds=1); nobody subscribes to it here.
        var firstUptime = await UptimeAtLeastAsync(0, "the first $SYS tick");
        var before = NoSubscriberDrops;

        await UptimeAtLeastAsync(firstUptime + 3, $"3 more $SYS ticks after uptime {firstUptime}");

        Assert.Equal(before, NoSubscriberDrops);
    }

    [Fact]
    public async Task Retained_publish_without_subscribers_is_not_counted_but_a_plain_one_is()
    {
        using var publisher = await Mqtt.ConnectAsync(broker, "drops-retained-pub");
        var before = NoSubscriberDrops;

        await publisher.PublishAsync(Mqtt.Message("drops/nobody/retained", "kept", MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build());
        var afterRetained = NoSubscriberDrops;
        await publisher.PublishAsync(Mqtt.Message("drops/nobody/plain", "lost", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var afterPlain = NoSubscriberDrops;

        Assert.Equal((before, before + 1), (afterRetained, afterPlain));
    }

    /// <summary>Polls the retained <c>$SYS</c> uptime, the only trace a tick leaves when nobody subscribes.</summary>
    private async Task<long> UptimeAtLeastAsync(long minimum, string phase)
    {
        var timeout = TimeSpan.FromSeconds(30);
        var started = DateTime.UtcNow;
        long uptime;
        while ((uptime = await SysUptimeAsync()) < minimum)
        {
            Assert.True(DateTime.UtcNow - started < timeout, $"waiting for {phase}: uptime {uptime}, expected at least {minimum} within {timeout.TotalSeconds} s");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        return uptime;
    }

    private async Task<long> SysUptimeAsync()
    {
        var found = await broker.Services.GetRequiredService<RetainedStores>().MatchManyAsync(["$SYS/brokers/+/uptime"]);
        foreach (var message in found[0])
        {
            return long.Parse(Encoding.UTF8.GetString(message.Payload.Span), System.Globalization.CultureInfo.InvariantCulture);
        }

        return -1;
    }
}
