using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Cluster.Tests.Infrastructure;
using RobustMq.Storage.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RobustMq.Cluster.Tests.Ledger;

/// <summary>
/// Issue 11's fault test: 1,000 persistent sessions spread over three silos, a QoS 1 (or QoS 2) stream from four
/// publishers, <c>kill -9</c> of one silo at a random point. Every acknowledged message must reach every subscriber of
/// its topic (lost = 0), QoS 2 exactly once, every session present again. Ends with one JSON line.
/// In the test command since 2026-12-01, once each held in 4 runs in a row (lost 0, QoS 2 duplicates 0; docs/cluster.md).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SiloKillLedgerTests(PostgresServer server, ITestOutputHelper output)
{
    private static readonly int Sessions = int.TryParse(Environment.GetEnvironmentVariable("LEDGER_SESSIONS"), out var n) ? n : 1_000;
    private const int Topics = 5;
    private const int Publishers = 4;
    private const int PerPublisher = 125;

    /// <summary>The QoS 2 variant proves the same (no loss) and more (no duplicate): this one is a soak run only.</summary>
    [Fact]
    [Trait("Run", "Soak")]
    public Task Kill_9_of_a_silo_during_a_QoS_1_stream_to_1000_persistent_sessions_loses_no_acknowledged_message() =>
        KillDuringStreamAsync(MqttQualityOfServiceLevel.AtLeastOnce);

    [Fact]
    public Task Kill_9_of_a_silo_during_a_QoS_2_stream_to_1000_persistent_sessions_loses_nothing_and_duplicates_nothing() =>
        KillDuringStreamAsync(MqttQualityOfServiceLevel.ExactlyOnce);

    private async Task KillDuringStreamAsync(MqttQualityOfServiceLevel qos)
    {
        await using var cluster = await SiloCluster.StartAsync(server, output, 3);
        var ledger = new DeliveryLedger();
        var dead = -1;
        Integration.Tests.Infrastructure.BrokerExecutable? Silo(int index)
        {
            var i = index % 3;
            return i == Volatile.Read(ref dead) ? null : cluster.Silos[i];
        }

        var topics = Enumerable.Range(0, Topics).Select(t => $"ledger/{(int)qos}/{t}").ToArray();
        var subscribers = Enumerable.Range(0, Sessions)
            .Select(i => new LedgerSubscriber($"ledger-{(int)qos}-{i}", topics[i % Topics], qos, ledger, s => Silo(s)))
            .ToList();
        await LedgerRun.StartAsync(subscribers, i => i % 3);

        var publishers = new List<IMqttClient>();
        for (var p = 0; p < Publishers; p++)
        {
            // Publishers on the silos that stay: the test is about the subscribers' silo.
            publishers.Add(await Clients.ConnectAsync(cluster.Silos[p % 2], $"ledger-publisher-{(int)qos}-{p}"));
        }

        var killAt = Random.Shared.Next(PerPublisher * 3 / 10, PerPublisher * 7 / 10);
        output.WriteLine($"silo 2 is killed when publisher 0 reaches message {killAt} of {PerPublisher}");
        await Task.WhenAll(publishers.Select((client, p) => LedgerPublisher.RunAsync(client, $"p{p}", topics, PerPublisher, qos, ledger, seq =>
        {
            if (p == 0 && seq == killAt)
            {
                Volatile.Write(ref dead, 2);
                cluster.Silos[2].Kill();
                ledger.FaultInjected();
            }

            return Task.CompletedTask;
        })));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (ledger.Missing() > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
        }

        var summary = ledger.Summarize($"kill -9 of 1 of 3 silos, {Sessions} persistent sessions, QoS {(int)qos}", exactlyOnce: qos == MqttQualityOfServiceLevel.ExactlyOnce);
        output.WriteLine(summary.ToJson());
        foreach (var missing in ledger.MissingSample(20))
        {
            output.WriteLine($"missing: {missing}");
        }
        foreach (var subscriber in subscribers)
        {
            await subscriber.StopAsync();
        }

        Assert.Equal(0, summary.Lost);
        Assert.Equal(0, summary.Qos2Duplicates);
        Assert.Equal(1.0, summary.SessionPresentRatio);
        Assert.Equal(summary.ExpectedDeliveries, summary.DeliveredUnique);
    }
}
