using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Cluster.Tests.Infrastructure;
using RobustMq.Storage.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RobustMq.Cluster.Tests.Ledger;

/// <summary>
/// Issue 11's kill of the silo that hosts the topic-shard and retained grains: a gateway-only silo serves every client,
/// one grains-only silo holds every topic shard, retained shard and session grain (it was the only one when they were
/// made), and a second grains silo joins. <c>kill -9</c> of the first, under a QoS 1 stream to 100 persistent sessions,
/// half of them offline at that moment (their session grains queue for them): every grain comes back on the second from
/// storage. Nothing acknowledged may be lost, the retained message is still there, and a route made after the kill works.
/// Ends with one JSON line.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class GrainsSiloKillLedgerTests(PostgresServer server, ITestOutputHelper output)
{
    private const int Sessions = 100;
    private const int Topics = 5;

    [Fact]
    public async Task Kill_9_of_the_silo_hosting_the_topic_shards_and_retained_store_loses_nothing_and_keeps_the_retained_message()
    {
        await using var cluster = await SiloCluster.StartAsync(server, output, 0);
        var doomed = await cluster.AddSiloAsync("--Node:Roles=grains");
        var gateway = await cluster.AddSiloAsync("--Node:Roles=gateway");
        var retainer = await Clients.ConnectAsync(gateway, "grainskill-retainer");
        var retained = new MqttApplicationMessageBuilder().WithTopic("grainskill/retained").WithPayload("kept").WithRetainFlag()
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        Assert.True((await retainer.PublishAsync(retained)).IsSuccess);

        var ledger = new DeliveryLedger();
        var topics = Enumerable.Range(0, Topics).Select(t => $"grainskill/{t}").ToArray();
        var subscribers = Enumerable.Range(0, Sessions)
            .Select(i => new LedgerSubscriber($"grainskill-{i}", topics[i % Topics], MqttQualityOfServiceLevel.AtLeastOnce, ledger, _ => gateway))
            .ToList();
        await LedgerRun.StartAsync(subscribers, _ => 0);
        await cluster.AddSiloAsync("--Node:Roles=grains");
        output.WriteLine("a second grains silo joined; every grain so far is on the first");

        using var stop = new CancellationTokenSource();
        await using var guard = LedgerRun.Guard(stop, subscribers);
        var publishers = Enumerable.Range(0, 2).Select(p => LedgerPublisher.RunUntilAsync($"gk{p}", 0, topics, ledger, _ => gateway, stop.Token)).ToList();
        await Task.Delay(TimeSpan.FromSeconds(1));
        var paused = subscribers.Where((_, i) => i % 2 == 0).ToList();
        await Task.WhenAll(paused.Select(s => s.PauseAsync()));
        await Task.Delay(TimeSpan.FromSeconds(1));

        doomed.Kill();
        ledger.FaultInjected();
        output.WriteLine("the grains silo that hosted every grain was killed");
        await Task.Delay(TimeSpan.FromSeconds(3));
        await Task.WhenAll(paused.Select(s => s.ResumeAsync()));

        // The retained message and a new route, served by grains that came back on the other silo.
        var received = new Received();
        var late = await Clients.ConnectAsync(gateway, "grainskill-late", received);
        await Clients.SubscribeAsync(late, "grainskill/retained");
        await received.WaitForAsync("grainskill-late", 1, "the retained message after the kill", TimeSpan.FromSeconds(30));
        await Clients.SubscribeAsync(late, "grainskill/after");
        Assert.True((await Clients.PublishAsync(retainer, "grainskill/after", "new")).IsSuccess);
        await received.WaitForAsync("grainskill-late", 2, "a message on a route made after the kill");
        Assert.Equal([("grainskill/retained", "kept"), ("grainskill/after", "new")], received.Of("grainskill-late"));

        var summary = await LedgerRun.FinishAsync(ledger, stop, publishers, subscribers,
            $"kill -9 of the grains silo hosting every topic shard, retained shard and session grain, {Sessions} persistent sessions (half offline), QoS 1", output);
        Assert.Equal(0, summary.Lost);
        Assert.Equal(1.0, summary.SessionPresentRatio);
        Assert.Equal(summary.ExpectedDeliveries, summary.DeliveredUnique);
    }
}
