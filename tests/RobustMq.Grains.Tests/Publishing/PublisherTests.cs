using RobustMq.Abstractions;
using RobustMq.Abstractions.Retained;
using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Tests.Infrastructure;

namespace RobustMq.Grains.Tests.Publishing;

[Collection(ClusterCollection.Name)]
public sealed class PublisherTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Publish_with_no_subscribers_returns_0_and_still_retains_the_message()
    {
        var publisher = cluster.Client.GetGrain<IPublisherGrain>(0);

        var matched = await publisher.Publish(TestMessages.Message("publish/nobody", "kept", qos: 1, retain: true));

        Assert.Equal(0, matched);
        var retained = await cluster.Client.GetGrain<IRetainedStoreGrain>(RetainedShards.ShardOf("publish/nobody")).Match("publish/nobody");
        Assert.Equal(["kept"], Array.ConvertAll(retained, TestMessages.Text));
    }

    [Fact]
    public async Task Publish_to_a_disconnected_persistent_subscriber_returns_1_and_queues_it_for_the_next_connect()
    {
        var subscriber = cluster.NewClient("publish-offline");
        await subscriber.ConnectAsync(silo: 1);
        await subscriber.SubscribeAsync("publish/offline/+", qos: 1);
        await subscriber.DisconnectAsync(DisconnectKind.Abnormal);
        var publisher = cluster.Client.GetGrain<IPublisherGrain>(0);

        var matched = await publisher.Publish(TestMessages.Message("publish/offline/x", "for-later", qos: 2, retain: true));

        Assert.Equal(1, matched);
        var result = await subscriber.ConnectAsync(silo: 0, cleanStart: false);
        var pending = Assert.Single(result.Pending);
        Assert.Equal(("publish/offline/x", "for-later", (byte)1), (pending.Message.Topic, TestMessages.Text(pending), pending.QoS));
    }

    [Fact]
    public async Task Publish_counts_one_subscriber_once_however_many_of_its_subscriptions_match()
    {
        var subscriber = cluster.NewClient("publish-overlap");
        await subscriber.ConnectAsync();
        await subscriber.SubscribeAsync(new SubscriptionRecord("publish/overlap/+", 0), new SubscriptionRecord("publish/overlap/#", 1));
        await subscriber.DisconnectAsync(DisconnectKind.Abnormal);
        var publisher = cluster.Client.GetGrain<IPublisherGrain>(0);

        var matched = await publisher.Publish(TestMessages.Message("publish/overlap/x", "once", qos: 1));

        Assert.Equal(1, matched);
        var result = await subscriber.ConnectAsync(cleanStart: false);
        var pending = Assert.Single(result.Pending);
        Assert.Equal(1, pending.QoS);
    }
}
