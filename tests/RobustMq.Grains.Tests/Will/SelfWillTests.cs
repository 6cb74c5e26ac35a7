using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Tests.Infrastructure;

namespace RobustMq.Grains.Tests.Will;

[Collection(ClusterCollection.Name)]
public sealed class SelfWillTests(ClusterFixture cluster)
{
    [Fact]
    public async Task A_will_on_a_topic_the_session_itself_subscribes_to_is_queued_for_it_without_blocking()
    {
        var client = cluster.NewClient("will-self");
        var will = new WillRecord(new BrokerMessage("will/self", new byte[] { 1 }, 1, false), 0);
        await client.ConnectAsync(cleanStart: true, will: will);
        await client.SubscribeAsync("will/self", qos: 1);

        await client.DisconnectAsync(DisconnectKind.Abnormal).WaitAsync(TimeSpan.FromSeconds(10));

        var result = await client.ConnectAsync(cleanStart: false);
        Assert.Equal("will/self", Assert.Single(result.Pending).Message.Topic);
    }
}
