using System.Diagnostics;
using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Cluster.Tests.Infrastructure;
using RobustMq.Storage.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RobustMq.Cluster.Tests.Failure;

/// <summary>
/// A silo that stops answering (SIGSTOP, as a hung or partitioned process) while a delivery to it is in flight, and is
/// then killed: the publisher is acknowledged once membership declares the silo dead, not refused, so it sends nothing
/// twice, and every subscriber gets the message once, the stopped silo's persistent subscriber when it connects again.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class FrozenSiloTests(PostgresServer server, ITestOutputHelper output)
{
    private const int SigStop = 19;

    [Fact]
    public async Task A_QoS_2_publish_whose_delivery_was_in_flight_to_a_silo_that_died_is_acknowledged_and_delivered_once_everywhere()
    {
        await using var cluster = await SiloCluster.StartAsync(server, output, 3);
        var received = new Received();
        var frozen = await Clients.ConnectAsync(cluster.Silos[2], "frozen-subscriber", received, PersistentOptions);
        await Clients.SubscribeAsync(frozen, "frozen/#", MqttQualityOfServiceLevel.ExactlyOnce);
        var bystander = await Clients.ConnectAsync(cluster.Silos[1], "frozen-bystander", received, PersistentOptions);
        await Clients.SubscribeAsync(bystander, "frozen/#", MqttQualityOfServiceLevel.ExactlyOnce);
        var publisher = await Clients.ConnectAsync(cluster.Silos[0], "frozen-publisher", configure: o => o.WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500));
        Assert.True((await Clients.PublishAsync(publisher, "frozen/x", "0", MqttQualityOfServiceLevel.ExactlyOnce)).IsSuccess);
        await received.WaitForAsync("frozen-subscriber", 1, "before the stop");

        await cluster.Silos[2].SignalAsync(SigStop);
        var clock = Stopwatch.StartNew();
        var result = await Clients.PublishAsync(publisher, "frozen/x", "1", MqttQualityOfServiceLevel.ExactlyOnce).WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"the publish while silo 2 was stopped was answered {result.ReasonCode} after {clock.Elapsed.TotalSeconds:F2} s");
        Assert.Equal(MqttClientPublishReasonCode.Success, result.ReasonCode);

        cluster.Silos[2].Kill();
        var back = await Clients.ConnectAsync(cluster.Silos[0], "frozen-subscriber", received, o => PersistentOptions(o.WithCleanStart(false)));
        Assert.True(back.IsConnected);
        Assert.True((await Clients.PublishAsync(publisher, "frozen/x", "2", MqttQualityOfServiceLevel.ExactlyOnce)).IsSuccess);
        await received.WaitForAsync("frozen-subscriber", 3, "the stopped silo's subscriber on another silo");
        await received.WaitForAsync("frozen-bystander", 3, "the bystander");
        await Task.Delay(500);

        Assert.Equal(["0", "1", "2"], received.Of("frozen-subscriber").Select(m => m.Payload));
        Assert.Equal(["0", "1", "2"], received.Of("frozen-bystander").Select(m => m.Payload));
    }

    private static void PersistentOptions(MqttClientOptionsBuilder options) => options
        .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
        .WithSessionExpiryInterval(3600);
}
