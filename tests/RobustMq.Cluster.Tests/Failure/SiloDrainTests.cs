using System.Collections.Concurrent;
using MQTTnet;
using RobustMq.Cluster.Tests.Infrastructure;
using RobustMq.Storage.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RobustMq.Cluster.Tests.Failure;

/// <summary>
/// SIGTERM of a silo under load: its clients get DISCONNECT 0x8B (server shutting down), it hands their sessions back,
/// leaves the cluster and exits 0; they resume on another silo with every acknowledged message.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SiloDrainTests(PostgresServer server, ITestOutputHelper output)
{
    private const int Messages = 400;

    [Fact]
    public async Task A_silo_stopped_with_SIGTERM_sends_its_clients_0x8B_and_they_resume_elsewhere_with_nothing_lost()
    {
        await using var cluster = await SiloCluster.StartAsync(server, output, 3);
        var seen = new ConcurrentDictionary<int, int>();
        var (subscriber, _) = await Clients.ConnectPersistentAsync(cluster.Silos[2], "drain-subscriber", seen, cleanStart: true, "drain/#");
        var disconnected = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.DisconnectedAsync += e =>
        {
            disconnected.TrySetResult(e);
            return Task.CompletedTask;
        };
        var publisher = await Clients.ConnectAsync(cluster.Silos[0], "drain-publisher");

        var acknowledged = await Clients.PublishAcknowledgedAsync(publisher, "drain/orders", Messages, async n =>
        {
            if (n == Messages / 2)
            {
                await cluster.Silos[2].SignalAsync(15);
            }
        });

        var reason = await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(MqttClientDisconnectReason.ServerShuttingDown, reason.Reason);
        var exit = await cluster.Silos[2].WaitForExitAsync("silo 2 after SIGTERM", TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"silo 2 exited with {exit}");

        var (_, back) = await Clients.ConnectPersistentAsync(cluster.Silos[1], "drain-subscriber", seen, cleanStart: false, "drain/#");
        await Clients.AssertResumedAsync(acknowledged, seen, back, output);
    }
}
