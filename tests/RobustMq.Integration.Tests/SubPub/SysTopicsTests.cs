using System.Globalization;
using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.SubPub;

public sealed class SysTopicsTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Sys_version_topic_is_retained_and_names_the_broker()
    {
        using var client = await Mqtt.ConnectAsync(broker, "sys-version");
        var received = new MessageCollector(client);

        await client.SubscribeAsync("$SYS/brokers/+/version", MqttQualityOfServiceLevel.AtMostOnce);

        var message = await received.NextAsync("subscriber waits for $SYS/brokers/<node>/version");
        Assert.StartsWith("RobustMq.Orleans ", message.ConvertPayloadToString(), StringComparison.Ordinal);
        Assert.Matches("^\\$SYS/brokers/[^/]+/version$", message.Topic);
    }

    [Fact]
    [Trait("Topology", "SingleNode")] // the counters of one node
    public async Task Sys_connected_clients_counts_the_subscriber_itself()
    {
        using var client = await Mqtt.ConnectAsync(broker, "sys-clients");
        var received = new MessageCollector(client);

        await client.SubscribeAsync("$SYS/brokers/+/clients/connected", MqttQualityOfServiceLevel.AtMostOnce);

        // The retained value may predate this client; a live update (retain flag 0) comes every second.
        MqttApplicationMessage message;
        do
        {
            message = await received.NextAsync("subscriber waits for a live clients/connected value");
        }
        while (message.Retain);

        Assert.True(int.Parse(message.ConvertPayloadToString(), CultureInfo.InvariantCulture) >= 1, $"clients/connected was {message.ConvertPayloadToString()}");
    }
}
