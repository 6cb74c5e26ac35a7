using System.Diagnostics;
using MQTTnet;
using Npgsql;
using RobustMq.Cluster.Tests.Infrastructure;
using RobustMq.Storage.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RobustMq.Cluster.Tests.Failure;

/// <summary><c>kill -9</c> of one of three silos: the others keep serving, and its clients are served elsewhere within seconds.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SiloKillTests(PostgresServer server, ITestOutputHelper output)
{
    /// <summary>Orleans SiloStatus.Dead as stored in the membership table.</summary>
    private const int Dead = 6;

    [Fact]
    public async Task After_a_kill_the_other_silos_keep_delivering_and_the_killed_silos_client_is_served_on_another_within_seconds()
    {
        await using var cluster = await SiloCluster.StartAsync(server, output, 3);
        var received = new Received();
        var bystander = await Clients.ConnectAsync(cluster.Silos[0], "bystander", received);
        await Clients.SubscribeAsync(bystander, "kill/#");
        var victim = await Clients.ConnectAsync(cluster.Silos[2], "victim");
        await Clients.SubscribeAsync(victim, "kill/#");
        var publisher = await Clients.ConnectAsync(cluster.Silos[1], "publisher");
        Assert.True((await Clients.PublishAsync(publisher, "kill/before", "0")).IsSuccess);
        await received.WaitForAsync("bystander", 1, "before the kill");

        var clock = Stopwatch.StartNew();
        cluster.Silos[2].Kill();

        // Until membership declares the silo dead (about a second here), a publish that needs a grain whose directory
        // entry was on it is refused (PUBACK 0x80, not acknowledged) and sent again, as a client does; none is lost.
        var refused = 0;
        for (var n = 1; n <= 20; n++)
        {
            while (true)
            {
                var result = await Clients.PublishAsync(publisher, "kill/during", n.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (result.IsSuccess)
                {
                    break;
                }

                Assert.True(result.ReasonCode == MqttClientPublishReasonCode.UnspecifiedError, $"publish {n}: {result.ReasonCode}");
                Assert.True(++refused < 200, $"publish {n} still refused after {clock.Elapsed.TotalSeconds:F1} s");
                await Task.Delay(50);
            }
        }

        output.WriteLine($"{refused} publishes refused after the kill, the last at {clock.Elapsed.TotalSeconds:F2} s");
        // Each of the 20 arrives; a refused attempt may have reached subscribers before it was refused (at least once),
        // or not: what was sent again then is its one copy.
        IEnumerable<int> During() => received.Of("bystander").Where(m => m.Topic == "kill/during").Select(m => int.Parse(m.Payload, System.Globalization.CultureInfo.InvariantCulture)).Distinct().Order();
        var deadline = Stopwatch.StartNew();
        while (During().Count() < 20 && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(20);
        }

        Assert.Equal(Enumerable.Range(1, 20), During());

        // The killed silo's client reconnects to another silo, subscribes and gets a message published on a third.
        var served = TimeSpan.Zero;
        while (served == TimeSpan.Zero)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the victim was not served again within 30 s");
            try
            {
                var back = new Received();
                var again = await Clients.ConnectAsync(cluster.Silos[0], "victim", back);
                await Clients.SubscribeAsync(again, "kill/after");
                await Clients.PublishAsync(publisher, "kill/after", "served");
                await back.WaitForAsync("victim", 1, "the victim on another silo", TimeSpan.FromSeconds(1));
                served = clock.Elapsed;
                await again.DisconnectAsync();
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException || ex.Message.Contains("victim on another silo", StringComparison.Ordinal))
            {
                output.WriteLine($"{clock.Elapsed.TotalSeconds:F2} s: not yet: {ex.Message}");
                await Task.Delay(100);
            }
        }

        var declaredDead = await WaitForStatusAsync(cluster.ConnectionString, cluster.Silos[2].Ports["Cluster:SiloPort"], Dead);
        output.WriteLine($"served again after {served.TotalSeconds:F2} s; declared dead in the membership table after at most {clock.Elapsed.TotalSeconds:F2} s");
        Assert.True(declaredDead, "the killed silo was not declared dead in the membership table");

        // The issue's bound is 5 s; the test allows twice that, so a busy machine does not fail it: the figure is in the output.
        Assert.True(served < TimeSpan.FromSeconds(10), $"served again only after {served.TotalSeconds:F1} s");
    }

    private static async Task<bool> WaitForStatusAsync(string connectionString, int port, int status)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        for (var i = 0; i < 100; i++)
        {
            await using var command = new NpgsqlCommand("SELECT Status FROM OrleansMembershipTable WHERE Port = $1", connection) { Parameters = { new() { Value = port } } };
            if (await command.ExecuteScalarAsync() is int current && current == status)
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }
}
