using RobustMq.Abstractions.Options;
using RobustMq.Gateway.Channel;
using RobustMq.Gateway.Metrics;
using RobustMq.Gateway.Security;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;

namespace RobustMq.Gateway.Tests.Metrics;

/// <summary>The counting behind issue 14's families: topic metrics registrations and the ACL tally of a SUBSCRIBE.</summary>
public sealed class OperationsMetricsTests
{
    private static readonly DateTimeOffset Registered = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_unregistered_topic_is_not_found_and_a_registered_one_counts_by_qos()
    {
        var metrics = new BrokerMetrics();
        Assert.Null(metrics.Topics.Find("a/b"));

        metrics.Topics.Replace([("a/b", Registered)]);
        var counters = Assert.IsType<TopicCounters>(metrics.Topics.Find("a/b"));
        counters.In(1);
        counters.In(2);
        counters.Out(1);
        counters.Dropped(0);

        Assert.Null(metrics.Topics.Find("a/c"));
        var counts = counters.Snapshot();
        Assert.Equal([0L, 1L, 1L], counts.In);
        Assert.Equal([0L, 1L, 0L], counts.Out);
        Assert.Equal([1L, 0L, 0L], counts.Dropped);
        Assert.Equal(1, metrics.TopicMessagesIn.WithLabels("a/b", "1").Value);
    }

    [Fact]
    public void A_topic_kept_across_a_change_keeps_its_counts_and_one_removed_loses_its_series()
    {
        var metrics = new BrokerMetrics();
        metrics.Topics.Replace([("a/b", Registered), ("a/c", Registered)]);
        metrics.Topics.Find("a/b")!.In(0);
        metrics.Topics.Find("a/c")!.In(0);

        metrics.Topics.Replace([("a/b", Registered)]);

        Assert.Equal(1, metrics.Topics.Find("a/b")!.Snapshot().In[0]);
        Assert.Null(metrics.Topics.Find("a/c"));
        Assert.DoesNotContain(metrics.TopicMessagesIn.GetAllLabelValues(), labels => labels[0] == "a/c");

        metrics.Topics.Replace([]);
        Assert.Null(metrics.Topics.Find("a/b"));
        Assert.Empty(metrics.Topics.All);
    }

    [Fact]
    public void A_topic_registered_again_starts_from_zero()
    {
        var metrics = new BrokerMetrics();
        metrics.Topics.Replace([("a/b", Registered)]);
        metrics.Topics.Find("a/b")!.In(1);

        metrics.Topics.Replace([("a/b", Registered.AddMinutes(1))]);

        Assert.Equal(0, metrics.Topics.Find("a/b")!.Snapshot().In[1]);
        Assert.Equal(0, metrics.TopicMessagesIn.WithLabels("a/b", "1").Value);
    }

    [Theory]
    [InlineData("a/+")]
    [InlineData("#")]
    [InlineData("")]
    public void Topic_metrics_take_topic_names_only(string topic)
    {
        Assert.NotNull(TopicMetrics.Problem(topic));
    }

    [Fact]
    public void A_subscribe_counts_the_filters_the_acl_allowed_and_denied()
    {
        var subscribe = new SubscribePacket
        {
            PacketId = 1,
            Subscriptions = [new TopicSubscription("open/x", QoS.AtMostOnce), new TopicSubscription("secret/x", QoS.AtMostOnce), new TopicSubscription("a/#/b", QoS.AtMostOnce)],
        };

        var decision = SubscribeDecisions.Decide(subscribe, MqttProtocolVersion.V500, new MqttOptions(), AclRuleSet.Parse("deny subscribe secret/#", "test.acl"), "c1", null);

        // The invalid filter is refused before the ACL is asked: neither.
        Assert.Equal(1, decision.AclAllowed);
        Assert.Equal(1, decision.AclDenied);
    }
}
