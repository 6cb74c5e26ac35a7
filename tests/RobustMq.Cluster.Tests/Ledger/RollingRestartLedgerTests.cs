using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Cluster.Tests.Infrastructure;
using RobustMq.Integration.Tests.Infrastructure;
using RobustMq.Storage.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RobustMq.Cluster.Tests.Ledger;

/// <summary>
/// Issue 11's rolling restart: three silos, 300 persistent sessions spread over them and a QoS 1 stream; each silo in
/// turn is stopped with SIGTERM (its clients get 0x8B and move to the others) and a new one joins in its place, until
/// none of the first three is left. No acknowledged message may be lost, every session must be found again. Ends with
/// one JSON line.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RollingRestartLedgerTests(PostgresServer server, ITestOutputHelper output)
{
    private const int Sessions = 300;
    private const int Topics = 5;
    private const int Publishers = 2;

    [Fact]
    public async Task A_rolling_restart_of_all_three_silos_under_a_QoS_1_stream_loses_nothing()
    {
        await using var cluster = await SiloCluster.StartAsync(server, output, 3);
        var live = new List<BrokerExecutable>(cluster.Silos);
        BrokerExecutable? Live(int index)
        {
            lock (live)
            {
                return live.Count == 0 ? null : live[index % live.Count];
            }
        }

        var ledger = new DeliveryLedger();
        var topics = Enumerable.Range(0, Topics).Select(t => $"rolling/{t}").ToArray();
        var subscribers = Enumerable.Range(0, Sessions)
            .Select(i => new LedgerSubscriber($"rolling-{i}", topics[i % Topics], MqttQualityOfServiceLevel.AtLeastOnce, ledger, Live))
            .ToList();
        await LedgerRun.StartAsync(subscribers, i => i % 3);

        using var stop = new CancellationTokenSource();
        await using var guard = LedgerRun.Guard(stop, subscribers);
        var publishers = Enumerable.Range(0, Publishers).Select(p => LedgerPublisher.RunUntilAsync($"rp{p}", p, topics, ledger, Live, stop.Token)).ToList();

        for (var i = 0; i < 3; i++)
        {
            var old = cluster.Silos[i];
            lock (live)
            {
                live.Remove(old);
            }

            ledger.FaultInjected();
            await old.SignalAsync(15);
            var exit = await old.WaitForExitAsync($"silo {i} after SIGTERM", TimeSpan.FromSeconds(60));
            Assert.True(exit == 0, $"silo {i} exited with {exit}");
            var replacement = await cluster.AddSiloAsync();
            lock (live)
            {
                live.Add(replacement);
            }

            output.WriteLine($"silo {i} replaced; {ledger.Missing()} deliveries owed so far");
        }

        var summary = await LedgerRun.FinishAsync(ledger, stop, publishers, subscribers, $"rolling restart of 3 silos (SIGTERM, then a new silo), {Sessions} persistent sessions, QoS 1", output);

        Assert.Equal(0, summary.Lost);
        Assert.Equal(1.0, summary.SessionPresentRatio);
        Assert.Equal(summary.ExpectedDeliveries, summary.DeliveredUnique);
    }
}
