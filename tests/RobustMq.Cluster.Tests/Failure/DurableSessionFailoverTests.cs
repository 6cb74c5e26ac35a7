using System.Collections.Concurrent;
using MQTTnet;
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
        var (_, first) = await Clients.ConnectPersistentAsync(cluster.Silos[2], "failover-subscriber", seen, cleanStart: true, "failover/#");
        Assert.False(first.IsSessionPresent);
        var publisher = await Clients.ConnectAsync(cluster.Silos[0], "failover-publisher");

        var acknowledged = await Clients.PublishAcknowledgedAsync(publisher, "failover/orders", Messages, n =>
        {
            if (n == Messages / 2)
            {
                cluster.Silos[2].Kill();
            }

            return Task.CompletedTask;
        });

        // The subscriber's client reconnects to another silo, without a clean start.
        var (_, back) = await Clients.ConnectPersistentAsync(cluster.Silos[1], "failover-subscriber", seen, cleanStart: false, "failover/#");
        await Clients.AssertResumedAsync(acknowledged, seen, back, output);
    }
}
