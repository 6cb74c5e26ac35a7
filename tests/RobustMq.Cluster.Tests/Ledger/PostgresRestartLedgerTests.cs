using MQTTnet.Protocol;
using Npgsql;
using RobustMq.Cluster.Tests.Infrastructure;
using RobustMq.Storage.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RobustMq.Cluster.Tests.Ledger;

/// <summary>
/// Issue 11's PostgreSQL restart under load: three silos share one PostgreSQL (membership and storage); it crashes
/// (<c>pg_ctl stop -m immediate</c>) during a QoS 1 stream to 200 persistent sessions and comes back 3 s later; half the
/// sessions are offline across it and come back after. No silo may exit or be declared dead, a publish whose durable
/// write failed must not be acknowledged (its publisher sends it again; an offline session would miss it), and nothing
/// acknowledged may be lost. Ends with one JSON line.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresRestartLedgerTests(PostgresServer server, ITestOutputHelper output)
{
    private const int Sessions = 200;
    private const int Topics = 5;
    private const int Publishers = 2;

    [Fact]
    public async Task A_PostgreSQL_crash_and_restart_under_a_QoS_1_stream_loses_nothing_and_keeps_every_silo()
    {
        await using var cluster = await SiloCluster.StartAsync(server, output, 3);
        var ledger = new DeliveryLedger();
        var topics = Enumerable.Range(0, Topics).Select(t => $"pgrestart/{t}").ToArray();
        var subscribers = Enumerable.Range(0, Sessions)
            .Select(i => new LedgerSubscriber($"pgrestart-{i}", topics[i % Topics], MqttQualityOfServiceLevel.AtLeastOnce, ledger, s => cluster.Silos[s % 3]))
            .ToList();
        await LedgerRun.StartAsync(subscribers, i => i % 3);

        using var stop = new CancellationTokenSource();
        await using var guard = LedgerRun.Guard(stop, subscribers);
        var publishers = Enumerable.Range(0, Publishers)
            .Select(p => LedgerPublisher.RunUntilAsync($"pg{p}", p, topics, ledger, s => cluster.Silos[s % 3], stop.Token)).ToList();

        await Task.Delay(TimeSpan.FromSeconds(2));

        // Half the sessions are offline across the outage: what they get comes from storage, so a publish acknowledged
        // without its durable write would be lost for them.
        var paused = subscribers.Where((_, i) => i % 2 == 0).ToList();
        await Task.WhenAll(paused.Select(s => s.PauseAsync()));
        ledger.FaultInjected();
        await server.StopAsync();
        output.WriteLine("PostgreSQL stopped (immediate)");
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        finally
        {
            await server.StartAsync();
            output.WriteLine("PostgreSQL started again");
        }

        await Task.Delay(TimeSpan.FromSeconds(3));
        await Task.WhenAll(paused.Select(s => s.ResumeAsync()));
        await Task.Delay(TimeSpan.FromSeconds(2));

        var summary = await LedgerRun.FinishAsync(ledger, stop, publishers, subscribers, $"PostgreSQL crash and restart (3 s down) under a QoS 1 stream, {Sessions} persistent sessions on 3 silos", output);

        Assert.All(cluster.Silos, silo => Assert.False(silo.HasExited, $"a silo exited: {silo.Log[^Math.Min(2000, silo.Log.Length)..]}"));
        Assert.Equal(3, await ActiveSilosAsync(cluster.ConnectionString));
        Assert.Equal(0, summary.Lost);
        Assert.Equal(summary.ExpectedDeliveries, summary.DeliveredUnique);
        Assert.Equal(1.0, summary.SessionPresentRatio);
        Assert.Equal(paused.Count, summary.Reconnects);
    }

    /// <summary>Silos the membership table has as Active (Orleans SiloStatus 3), none declared dead.</summary>
    private static async Task<long> ActiveSilosAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var dead = new NpgsqlCommand("SELECT count(*) FROM OrleansMembershipTable WHERE Status = 6", connection);
        Assert.Equal(0L, (long)(await dead.ExecuteScalarAsync())!);
        await using var active = new NpgsqlCommand("SELECT count(*) FROM OrleansMembershipTable WHERE Status = 3", connection);
        return (long)(await active.ExecuteScalarAsync())!;
    }
}
