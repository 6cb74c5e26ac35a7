using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using RobustMq.Cluster.Tests.Infrastructure;
using RobustMq.Storage.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RobustMq.Cluster.Tests.Failure;

/// <summary>
/// A persistent session survives <c>kill -9</c> of the silo it was connected to: its client reconnects to another
/// silo, finds its session (session present) and gets every message its publisher had acknowledged, with sessions,
/// queues and routes in the cluster's PostgreSQL database.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DurableSessionFailoverTests(PostgresServer server, ITestOutputHelper output)
{
    private const int Messages = 400;

    [Fact]
    public async Task A_persistent_subscriber_on_a_killed_silo_resumes_on_another_with_every_acknowledged_message()
    {
        await using var cluster = await SiloCluster.StartAsync(server, output, 3);
        var seen = new ConcurrentDictionary<int, int>();
        var subscriber = await ConnectSubscriberAsync(cluster.Silos[2], seen, cleanStart: true);
        Assert.False(subscriber.IsSessionPresent);
        var publisher = await Clients.ConnectAsync(cluster.Silos[0], "failover-publisher");

        var acknowledged = new List<int>();
        var clock = Stopwatch.StartNew();
        var killedAt = TimeSpan.Zero;
        for (var n = 0; n < Messages; n++)
        {
            if (n == Messages / 2)
            {
                cluster.Silos[2].Kill();
                killedAt = clock.Elapsed;
            }

            while (true)
            {
                var result = await Clients.PublishAsync(publisher, "failover/orders", n.ToString(CultureInfo.InvariantCulture));
                if (result.IsSuccess)
                {
                    acknowledged.Add(n);
                    break;
                }

                // Refused (0x80) while the dead silo is not yet declared dead: not acknowledged, sent again.
                Assert.True(clock.Elapsed - killedAt < TimeSpan.FromSeconds(30), $"message {n} still refused: {result.ReasonCode}");
                await Task.Delay(50);
            }
        }

        // The subscriber's client reconnects to another silo, without a clean start.
        var back = await ConnectSubscriberAsync(cluster.Silos[1], seen, cleanStart: false);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (acknowledged.Any(n => !seen.ContainsKey(n)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var lost = acknowledged.Where(n => !seen.ContainsKey(n)).ToList();
        output.WriteLine($"acknowledged {acknowledged.Count}, delivered {seen.Count} distinct, {seen.Values.Sum() - seen.Count} duplicates, lost {lost.Count}, session present {back.IsSessionPresent}");
        Assert.True(back.IsSessionPresent, "the session was not present on the other silo");
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged messages lost, first {string.Join(", ", lost.Take(10))}");
    }

    private static async Task<MqttClientConnectResult> ConnectSubscriberAsync(Integration.Tests.Infrastructure.BrokerExecutable silo, ConcurrentDictionary<int, int> seen, bool cleanStart)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            seen.AddOrUpdate(int.Parse(e.ApplicationMessage.ConvertPayloadToString(), CultureInfo.InvariantCulture), 1, (_, c) => c + 1);
            return Task.CompletedTask;
        };
        var result = await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", silo.MqttPort)
            .WithClientId("failover-subscriber")
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(cleanStart)
            .WithSessionExpiryInterval(3600)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build());
        if (cleanStart)
        {
            await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(f => f.WithTopic("failover/#").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)).Build());
        }

        return result;
    }
}
