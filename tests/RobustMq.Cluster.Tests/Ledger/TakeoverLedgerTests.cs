using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Cluster.Tests.Infrastructure;
using RobustMq.Storage.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RobustMq.Cluster.Tests.Ledger;

/// <summary>
/// Issue 11's takeover case: 500 persistent sessions connected on silo 0 receive a QoS 1 stream published on silo 2;
/// meanwhile each client connects again on silo 1 without closing its first connection. The first connection must be
/// closed with 0x8E (MQTT-3.1.4-3), the new one find its session (session present), CONNECT to CONNACK p99 within 1 s,
/// and no acknowledged message lost. Ends with one JSON line.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TakeoverLedgerTests(PostgresServer server, ITestOutputHelper output)
{
    private static readonly int Sessions = int.TryParse(Environment.GetEnvironmentVariable("LEDGER_SESSIONS"), out var n) ? Math.Min(n, 500) : 500;
    private const int Topics = 5;
    private const int Publishers = 2;
    private const int Wave = 25;

    [Fact]
    public async Task Five_hundred_persistent_clients_move_to_another_silo_while_a_stream_runs_and_lose_nothing()
    {
        await using var cluster = await SiloCluster.StartAsync(server, output, 3);
        var ledger = new DeliveryLedger();
        var topics = Enumerable.Range(0, Topics).Select(t => $"takeover/{t}").ToArray();
        var subscribers = Enumerable.Range(0, Sessions)
            .Select(i => new LedgerSubscriber($"takeover-{i}", topics[i % Topics], MqttQualityOfServiceLevel.AtLeastOnce, ledger, s => cluster.Silos[s % 3]))
            .ToList();
        await LedgerRun.StartAsync(subscribers, i => 0);

        using var stop = new CancellationTokenSource();
        await using var guard = LedgerRun.Guard(stop, subscribers);
        var publishers = Enumerable.Range(0, Publishers).Select(p => LedgerPublisher.RunUntilAsync($"tp{p}", 2, topics, ledger, s => cluster.Silos[2], stop.Token)).ToList();

        var reasons = new List<MqttClientDisconnectReason>();
        foreach (var wave in subscribers.Chunk(Wave))
        {
            reasons.AddRange(await Task.WhenAll(wave.Select(s => s.TakeOverAsync(1))));
        }

        var summary = await LedgerRun.FinishAsync(ledger, stop, publishers, subscribers, $"takeover of {Sessions} persistent sessions from silo 0 to silo 1 under a QoS 1 stream", output);

        Assert.All(reasons, reason => Assert.Equal(MqttClientDisconnectReason.SessionTakenOver, reason));
        Assert.Equal(0, summary.Lost);
        Assert.Equal(0, summary.OutOfOrder);
        Assert.Equal(1.0, summary.SessionPresentRatio);
        Assert.Equal(Sessions, summary.Reconnects);
        Assert.True(summary.ReconnectP99Ms <= 1000, $"takeover CONNECT to CONNACK p99 {summary.ReconnectP99Ms} ms, more than 1 s");
    }
}
