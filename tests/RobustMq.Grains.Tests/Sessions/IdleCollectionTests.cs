using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Retained;
using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Tests.Infrastructure;

namespace RobustMq.Grains.Tests.Sessions;

/// <summary>State kept in memory survives Orleans' idle activation collection (the grains are kept alive).</summary>
[Collection(ClusterCollection.Name)]
public sealed class IdleCollectionTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Idle_collection_keeps_a_disconnected_session_and_a_retained_message()
    {
        var client = cluster.NewClient("idle-keep");
        await client.ConnectAsync();
        await client.SubscribeAsync("idle/keep");
        await client.DisconnectAsync(DisconnectKind.Abnormal);
        var topic = "idle/retained";
        await cluster.Client.GetGrain<IRetainedStoreGrain>(RetainedShards.ShardOf(topic))
            .Set(new BrokerMessage(topic, new byte[] { 1 }, 1, true));

        await cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        var info = await client.Session.GetInfo();
        Assert.True(info.Exists, "session still exists after idle collection");
        Assert.Equal("idle/keep", Assert.Single(info.Subscriptions).Filter);
        var kept = await cluster.Client.GetGrain<IRetainedStoreGrain>(RetainedShards.ShardOf(topic)).Match(topic);
        Assert.Single(kept);
    }
}
