using MQTTnet;
using RobustMq.Cluster.Tests.Infrastructure;
using RobustMq.Storage.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RobustMq.Cluster.Tests.Routing;

/// <summary>A client id connecting on another silo takes the session over: the old connection gets DISCONNECT 0x8E (MQTT-3.1.4-3).</summary>
[Collection(PostgresCollection.Name)]
public sealed class CrossSiloTakeoverTests(PostgresServer server, ITestOutputHelper output)
{
    [Fact]
    public async Task Connecting_on_another_silo_closes_the_first_connection_with_session_taken_over()
    {
        await using var cluster = await SiloCluster.StartAsync(server, output, 2);
        var disconnected = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = await Clients.ConnectAsync(cluster.Silos[0], "roamer");
        first.DisconnectedAsync += e =>
        {
            disconnected.TrySetResult(e);
            return Task.CompletedTask;
        };

        var received = new Received();
        var second = await Clients.ConnectAsync(cluster.Silos[1], "roamer", received);
        var reason = await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(MqttClientDisconnectReason.SessionTakenOver, reason.Reason);

        // The new connection is the one served: its subscription gets what a publisher on the first silo sends.
        await Clients.SubscribeAsync(second, "roam/#");
        var publisher = await Clients.ConnectAsync(cluster.Silos[0], "roam-publisher");
        // Success, not "no matching subscribers": the SUBACK came once every silo had the route.
        Assert.Equal(MqttClientPublishReasonCode.Success, (await Clients.PublishAsync(publisher, "roam/1", "x")).ReasonCode);
        await received.WaitForAsync("roamer", 1, "the taken-over session's new connection");
    }
}
