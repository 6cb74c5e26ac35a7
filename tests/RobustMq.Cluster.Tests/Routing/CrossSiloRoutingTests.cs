using MQTTnet;
using RobustMq.Cluster.Tests.Infrastructure;
using RobustMq.Storage.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RobustMq.Cluster.Tests.Routing;

/// <summary>Three silos on PostgreSQL membership: a message published on any silo reaches subscribers on every silo.</summary>
[Collection(PostgresCollection.Name)]
public sealed class CrossSiloRoutingTests(PostgresServer server, ITestOutputHelper output)
{
    private const int PerPublisher = 200;

    [Fact]
    public async Task Publishes_on_each_silo_reach_subscribers_on_every_silo_once_and_in_order()
    {
        await using var cluster = await SiloCluster.StartAsync(server, output, 3);
        var received = new Received();
        var subscribers = new List<IMqttClient>();
        var publishers = new List<IMqttClient>();
        for (var i = 0; i < 3; i++)
        {
            var subscriber = await Clients.ConnectAsync(cluster.Silos[i], $"sub-{i}", received);
            await Clients.SubscribeAsync(subscriber, "fleet/#");
            subscribers.Add(subscriber);
            publishers.Add(await Clients.ConnectAsync(cluster.Silos[i], $"pub-{i}"));
        }

        // SUBACK means every silo's route cache has the route: no wait before publishing.
        await Task.WhenAll(publishers.Select(async (publisher, p) =>
        {
            for (var n = 0; n < PerPublisher; n++)
            {
                var result = await Clients.PublishAsync(publisher, $"fleet/{p}", $"{p}:{n}");
                Assert.True(result.IsSuccess, $"publisher {p} message {n}: {result.ReasonCode}");
            }
        }));

        for (var i = 0; i < 3; i++)
        {
            await received.WaitForAsync($"sub-{i}", 3 * PerPublisher, "every message from the three silos");
            var messages = received.Of($"sub-{i}");
            Assert.Equal(3 * PerPublisher, messages.Count);
            for (var p = 0; p < 3; p++)
            {
                // MQTT 4.6: one publisher's messages on one topic arrive in the order published, exactly once here (QoS 1, no reconnect).
                var fromPublisher = messages.Where(m => m.Topic == $"fleet/{p}").Select(m => int.Parse(m.Payload.Split(':')[1])).ToList();
                Assert.Equal(Enumerable.Range(0, PerPublisher), fromPublisher);
            }
        }

        foreach (var client in subscribers.Concat(publishers))
        {
            await client.DisconnectAsync();
        }
    }

    [Fact]
    public async Task A_silo_that_joins_later_serves_the_routes_made_before_it_came()
    {
        await using var cluster = await SiloCluster.StartAsync(server, output, 1);
        var received = new Received();
        var early = await Clients.ConnectAsync(cluster.Silos[0], "early-sub", received);
        await Clients.SubscribeAsync(early, "late/join");

        var joined = await cluster.AddSiloAsync();
        var publisher = await Clients.ConnectAsync(joined, "late-pub");
        var result = await Clients.PublishAsync(publisher, "late/join", "hello");
        Assert.True(result.IsSuccess, $"publish on the new silo: {result.ReasonCode}");
        await received.WaitForAsync("early-sub", 1, "a route made before the silo joined");
    }
}
