using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Retained;
using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Tests.Infrastructure;

namespace RobustMq.Grains.Tests.Will;

/// <summary>The wills here are retained, so publishing one is observable in the retained store.</summary>
[Collection(ClusterCollection.Name)]
public sealed class WillTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Abnormal_disconnect_publishes_the_will()
    {
        var client = cluster.NewClient("will-abnormal");
        await client.ConnectAsync(will: RetainedWill("will/abnormal", "gone"));

        await client.DisconnectAsync(DisconnectKind.Abnormal);

        Assert.Equal(["gone"], await RetainedPayloads("will/abnormal"));
    }

    [Fact]
    public async Task Normal_disconnect_discards_the_will()
    {
        var client = cluster.NewClient("will-normal");
        await client.ConnectAsync(will: RetainedWill("will/normal", "gone"));

        await client.DisconnectAsync(DisconnectKind.Normal);

        Assert.Empty(await RetainedPayloads("will/normal"));
    }

    [Fact]
    public async Task Abnormal_disconnect_of_a_session_that_ends_at_once_publishes_the_will()
    {
        var client = cluster.NewClient("will-expiry0");
        await client.ConnectAsync(expiry: 0, will: RetainedWill("will/expiry0", "gone"));

        await client.DisconnectAsync(DisconnectKind.Abnormal);

        Assert.Equal(["gone"], await RetainedPayloads("will/expiry0"));
    }

    [Fact]
    public async Task Takeover_publishes_the_will_of_the_old_connection()
    {
        var client = cluster.NewClient("will-takeover");
        await client.ConnectAsync(silo: 0, will: RetainedWill("will/takeover", "old"));

        await client.ConnectAsync(silo: 1, cleanStart: false);

        Assert.Equal(["old"], await RetainedPayloads("will/takeover"));
    }

    private static WillRecord RetainedWill(string topic, string payload) =>
        new(TestMessages.Message(topic, payload, qos: 1, retain: true), DelaySeconds: 0);

    private async Task<string[]> RetainedPayloads(string topic)
    {
        BrokerMessage[] retained = await cluster.Client.GetGrain<IRetainedStoreGrain>(RetainedShards.ShardOf(topic)).Match(topic);
        return Array.ConvertAll(retained, TestMessages.Text);
    }
}
