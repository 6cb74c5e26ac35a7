using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.SubPub;

public sealed class WildcardTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Hash_filter_matches_its_parent_level_and_every_level_below()
    {
        var seen = await TopicsMatchedAsync("wild-hash", "wild/hash/#", ["wild/hash", "wild/hash/a", "wild/hash/a/b/c", "wild/hashx", "wild/other"]);

        Assert.Equal(["wild/hash", "wild/hash/a", "wild/hash/a/b/c"], seen);
    }

    [Fact]
    public async Task Plus_filter_matches_exactly_one_level_including_an_empty_one()
    {
        var seen = await TopicsMatchedAsync("wild-plus", "wild/plus/+/end", ["wild/plus/a/end", "wild/plus//end", "wild/plus/a/b/end", "wild/plus/end", "wild/plus/a/end/x"]);

        Assert.Equal(["wild/plus/a/end", "wild/plus//end"], seen);
    }

    [Fact]
    public async Task Leading_plus_matches_a_topic_that_starts_with_a_slash()
    {
        var seen = await TopicsMatchedAsync("wild-lead", "+/wild/lead", ["/wild/lead", "x/wild/lead", "wild/lead"]);

        Assert.Equal(["/wild/lead", "x/wild/lead"], seen);
    }

    /// <summary>Publishes to each topic in order, then a marker the filter matches; returns the topics received before the marker.</summary>
    private async Task<List<string>> TopicsMatchedAsync(string clientId, string filter, string[] topics)
    {
        var marker = filter.Replace("+", "m", StringComparison.Ordinal).Replace("#", "marker", StringComparison.Ordinal);
        using var subscriber = await Mqtt.ConnectAsync(broker, $"{clientId}-sub");
        var received = new MessageCollector(subscriber);
        await subscriber.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        using var publisher = await Mqtt.ConnectAsync(broker, $"{clientId}-pub");
        foreach (var topic in topics)
        {
            await publisher.PublishAsync(Mqtt.Message(topic, "x", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        }

        await publisher.PublishAsync(Mqtt.Message(marker, "marker", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var seen = await received.UntilTopicAsync(marker, $"subscriber of '{filter}' waits for the marker '{marker}'");
        return [.. seen.Take(seen.Count - 1).Select(m => m.Topic)];
    }
}
