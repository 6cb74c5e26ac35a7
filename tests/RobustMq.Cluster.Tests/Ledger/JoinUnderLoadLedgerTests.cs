using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Cluster.Tests.Infrastructure;
using RobustMq.Storage.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RobustMq.Cluster.Tests.Ledger;

/// <summary>
/// Issue 11's silo joining under load: two silos serve 200 persistent sessions and a QoS 1 stream; a third silo joins
/// without any restart, half the sessions move to it (0x8E for their old connections, session present for the new
/// ones) and a third publisher starts there. Nothing acknowledged may be lost on the way. Ends with one JSON line.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class JoinUnderLoadLedgerTests(PostgresServer server, ITestOutputHelper output)
{
    private const int Sessions = 200;
    private const int Topics = 5;

    [Fact]
    public async Task A_silo_that_joins_under_a_QoS_1_stream_takes_sessions_and_publishers_and_nothing_is_lost()
    {
        await using var cluster = await SiloCluster.StartAsync(server, output, 2);
        var ledger = new DeliveryLedger();
        var topics = Enumerable.Range(0, Topics).Select(t => $"join/{t}").ToArray();
        var subscribers = Enumerable.Range(0, Sessions)
            .Select(i => new LedgerSubscriber($"join-{i}", topics[i % Topics], MqttQualityOfServiceLevel.AtLeastOnce, ledger, s => cluster.Silos[s % cluster.Silos.Count]))
            .ToList();
        await LedgerRun.StartAsync(subscribers, i => i % 2);

        using var stop = new CancellationTokenSource();
        await using var guard = LedgerRun.Guard(stop, subscribers);
        var publishers = Enumerable.Range(0, 2)
            .Select(p => LedgerPublisher.RunUntilAsync($"jp{p}", p, topics, ledger, s => cluster.Silos[s % 2], stop.Token)).ToList();
        await Task.Delay(TimeSpan.FromSeconds(2));

        await cluster.AddSiloAsync();
        output.WriteLine("silo 2 joined");
        publishers.Add(LedgerPublisher.RunUntilAsync("jp2", 2, topics, ledger, s => cluster.Silos[2], stop.Token));
        var reasons = new List<MqttClientDisconnectReason>();
        foreach (var wave in subscribers.Where((_, i) => i % 2 == 0).Chunk(25))
        {
            reasons.AddRange(await Task.WhenAll(wave.Select(s => s.TakeOverAsync(2))));
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        var summary = await LedgerRun.FinishAsync(ledger, stop, publishers, subscribers, $"a third silo joins under a QoS 1 stream and takes {reasons.Count} of {Sessions} persistent sessions", output);

        Assert.All(reasons, reason => Assert.Equal(MqttClientDisconnectReason.SessionTakenOver, reason));
        Assert.Equal(0, summary.Lost);
        Assert.Equal(0, summary.OutOfOrder);
        Assert.Equal(1.0, summary.SessionPresentRatio);
        Assert.Equal(summary.ExpectedDeliveries, summary.DeliveredUnique);
    }
}
