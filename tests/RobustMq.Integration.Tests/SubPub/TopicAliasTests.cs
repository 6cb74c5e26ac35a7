using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.SubPub;

public sealed class TopicAliasTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Topic_aliases_used_towards_a_client_resolve_to_the_published_topics()
    {
        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync("alias-out-sub", RawPackets.V5, topicAliasMaximum: 2);
        await raw.SendAsync(RawPackets.Subscribe(1, "alias/out/#", RawPackets.V5, qos: 0));
        await raw.ExpectAsync(RawPacket.SubAck, "raw subscriber waits for SUBACK");
        using var publisher = await Mqtt.ConnectAsync(broker, "alias-out-pub");
        string[] topics = ["alias/out/a", "alias/out/b", "alias/out/a", "alias/out/c", "alias/out/b", "alias/out/c"];
        foreach (var topic in topics)
        {
            await publisher.PublishAsync(Mqtt.Message(topic, topic, MqttQualityOfServiceLevel.AtLeastOnce).Build());
        }

        var aliases = new Dictionary<ushort, string>();
        var resolved = new List<string>();
        for (var i = 0; i < topics.Length; i++)
        {
            var publish = await raw.ExpectAsync(RawPacket.Publish, $"raw subscriber waits for message {i + 1} of {topics.Length}");
            var alias = publish.TopicAlias();
            if (alias is { } a)
            {
                Assert.InRange(a, (ushort)1, (ushort)2);
                if (publish.Topic.Length > 0)
                {
                    aliases[a] = publish.Topic;
                }

                Assert.True(aliases.ContainsKey(a), $"message {i + 1} uses alias {a}, which was never set");
                resolved.Add(aliases[a]);
            }
            else
            {
                Assert.NotEqual("", publish.Topic);
                resolved.Add(publish.Topic);
            }

            Assert.Equal(resolved[^1], publish.PayloadText(RawPackets.V5));
        }

        Assert.Equal(topics, resolved);
    }

    [Fact]
    public async Task Client_that_allows_no_topic_aliases_gets_full_topic_names()
    {
        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync("alias-none-sub", RawPackets.V5);
        await raw.SendAsync(RawPackets.Subscribe(1, "alias/none", RawPackets.V5, qos: 0));
        await raw.ExpectAsync(RawPacket.SubAck, "raw subscriber waits for SUBACK");
        using var publisher = await Mqtt.ConnectAsync(broker, "alias-none-pub");

        await publisher.PublishAsync(Mqtt.Message("alias/none", "1", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await publisher.PublishAsync(Mqtt.Message("alias/none", "2", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var first = await raw.ExpectAsync(RawPacket.Publish, "raw subscriber waits for the first message");
        var second = await raw.ExpectAsync(RawPacket.Publish, "raw subscriber waits for the second message");
        Assert.Equal(("alias/none", (ushort?)null), (first.Topic, first.TopicAlias()));
        Assert.Equal(("alias/none", (ushort?)null), (second.Topic, second.TopicAlias()));
    }
}
