using MQTTnet;
using RobustMq.Cluster.Tests.Infrastructure;
using RobustMq.Integration.Tests.Infrastructure;
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

    /// <summary>
    /// mosquitto_pub -l keeps up to 20 QoS 1 messages in flight (0 waits for nothing): with two such publishers on two
    /// silos, messages of both share the calls to the subscriber's silo (one ordered outbox per node), and neither
    /// publisher's order may suffer from it (MQTT 4.6), nor any acknowledged message be lost.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public async Task Pipelined_publishers_on_two_silos_reach_a_subscriber_on_a_third_in_order(int qos)
    {
        const int count = 5000;
        await using var cluster = await SiloCluster.StartAsync(server, output, 3);
        using var subscriber = CliProcess.Start(
            "/usr/bin/stdbuf", "-oL", "/usr/bin/mosquitto_sub", "-h", "127.0.0.1", "-p", Port(cluster, 1), "-V", "mqttv311", "-d",
            "-q", "1", "-t", $"pipe{qos}/#", "-F", "MSG %t %p");
        await subscriber.WaitForLineAsync(l => l.Contains("received SUBACK", StringComparison.Ordinal), "mosquitto_sub on silo 1 subscribes");

        await Task.WhenAll(new[] { 0, 2 }.Select(async silo =>
        {
            using var publisher = CliProcess.Start(
                "/bin/bash", "-c", $"seq 1 {count} | mosquitto_pub -h 127.0.0.1 -p {Port(cluster, silo)} -V mqttv311 -q {qos} -t pipe{qos}/{silo} -l");
            Assert.Equal(0, await publisher.WaitForExitAsync($"mosquitto_pub of {count} QoS {qos} messages on silo {silo}"));
        }));

        // QoS 1: every one, in order. QoS 0 may drop only where a queue overflows; the last one of each publisher comes
        // after every one kept. (A wait consumes the lines it looked at: one wait for both.)
        var lasts = new HashSet<string>(StringComparer.Ordinal) { $"MSG pipe{qos}/0 {count}", $"MSG pipe{qos}/2 {count}" };
        await subscriber.WaitForLineAsync(l => lasts.Remove(l) && lasts.Count == 0, "the last message of both publishers", TimeSpan.FromSeconds(60));

        foreach (var silo in new[] { 0, 2 })
        {
            var sequence = subscriber.Output.Split('\n').Where(l => l.StartsWith($"MSG pipe{qos}/{silo} ", StringComparison.Ordinal))
                .Select(l => int.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            if (qos == 1)
            {
                Assert.Equal(Enumerable.Range(1, count), sequence);
            }
            else
            {
                Assert.True(sequence.Zip(sequence.Skip(1)).All(p => p.First < p.Second), $"QoS 0 from silo {silo} out of order");
                output.WriteLine($"QoS 0 from silo {silo}: {sequence.Count} of {count} arrived");
            }
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

    private static string Port(SiloCluster cluster, int silo) =>
        cluster.Silos[silo].MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
