using System.Diagnostics;
using MQTTnet;
using Npgsql;
using RobustMq.Cluster.Tests.Infrastructure;
using RobustMq.Storage.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RobustMq.Cluster.Tests.Failure;

/// <summary>
/// The session directory (which connection holds each client id, and which ids a session grain holds state for) and the
/// timers of persistent sessions outlive the silos that ran them: a directory shard that starts anew asks the live nodes
/// for their connections and reads the stored session index, and a session whose connection's node died is detached
/// (will, expiry) without waiting for its client.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SessionDirectoryKillTests(PostgresServer server, ITestOutputHelper output)
{
    [Fact]
    public async Task After_the_directory_silo_dies_a_second_connect_still_takes_the_first_over_and_a_clean_start_still_ends_a_stored_session()
    {
        await using var cluster = await SiloCluster.StartAsync(server, output, 0);
        var doomed = await cluster.AddSiloAsync("--Node:Roles=grains");
        var gatewayA = await cluster.AddSiloAsync("--Node:Roles=gateway");
        var gatewayB = await cluster.AddSiloAsync("--Node:Roles=gateway");

        // A clean session connected on gateway A, and a stored persistent session with a subscription, offline; every
        // directory shard is on the doomed silo (the only grains silo when they were made).
        var replaced = new TaskCompletionSource<MqttClientDisconnectReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = await Clients.ConnectAsync(gatewayA, "dirkill-clean", configure: o => o.WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500));
        first.DisconnectedAsync += e =>
        {
            replaced.TrySetResult(e.Reason);
            return Task.CompletedTask;
        };
        var stored = new MQTTnet.MqttClientFactory().CreateMqttClient();
        await stored.ConnectAsync(Clients.PersistentOptions(gatewayA, "dirkill-stored", cleanStart: true));
        await Clients.SubscribeAsync(stored, "dirkill/stored");
        await stored.DisconnectAsync();

        await cluster.AddSiloAsync("--Node:Roles=grains");
        doomed.Kill();
        output.WriteLine("the grains silo hosting every directory shard was killed");

        // The same client id again, on the other gateway: the first connection is taken over (0x8E), not left beside it.
        var second = await ConnectUntilServedAsync(() => Clients.ConnectAsync(gatewayB, "dirkill-clean", configure: o => o.WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)));
        var reason = await replaced.Task.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(MqttClientDisconnectReason.SessionTakenOver, reason);
        Assert.True(second.IsConnected);

        // A clean start with the stored session's id ends that session (MQTT-3.1.2-4): coming back without a clean start
        // finds no session.
        var clean = await ConnectUntilServedAsync(() => Clients.ConnectAsync(gatewayB, "dirkill-stored", configure: o => o.WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithCleanStart(true)));
        await clean.DisconnectAsync();
        // The session ends as the broker handles that DISCONNECT; a CONNECT that overtakes it would take the session over.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var back = new MQTTnet.MqttClientFactory().CreateMqttClient();
        var connAck = await back.ConnectAsync(Clients.PersistentOptions(gatewayB, "dirkill-stored", cleanStart: false));
        Assert.False(connAck.IsSessionPresent, "the stored session outlived a clean start with its client id");
        await back.DisconnectAsync();
        await second.DisconnectAsync();
    }

    // Quarantined (Run=Flaky, left out of the test command, README): in about one run in three the will never comes.
    // Cause (stop 26): Orleans' grain directory deactivates the activations whose directory entry the dead silo held, and
    // the orphan's directory shard was one of them before it acted on the death; nothing calls it afterwards. A fix that
    // made such a shard start again at once was withdrawn: with it, a kill -9 ledger run saw QoS 2 duplicates.
    [Fact]
    [Trait("Run", "Flaky")]
    public async Task A_persistent_session_whose_gateway_silo_dies_sends_its_will_and_expires_without_its_client()
    {
        await using var cluster = await SiloCluster.StartAsync(server, output, 0);
        await cluster.AddSiloAsync("--Node:Roles=grains");
        var doomed = await cluster.AddSiloAsync("--Node:Roles=gateway");
        var gateway = await cluster.AddSiloAsync("--Node:Roles=gateway");

        var received = new Received();
        var watcher = await Clients.ConnectAsync(gateway, "orphan-watcher", received);
        await Clients.SubscribeAsync(watcher, "orphan/will");
        var orphan = new MQTTnet.MqttClientFactory().CreateMqttClient();
        await orphan.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", doomed.MqttPort)
            .WithClientId("orphan")
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .WithSessionExpiryInterval(4)
            .WithWillTopic("orphan/will")
            .WithWillPayload("gone")
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build());

        var clock = Stopwatch.StartNew();
        doomed.Kill();
        await received.WaitForAsync("orphan-watcher", 1, "the will of a session whose gateway silo died", TimeSpan.FromSeconds(30));
        output.WriteLine($"the will arrived {clock.Elapsed.TotalSeconds:F2} s after the kill");
        Assert.Equal([("orphan/will", "gone")], received.Of("orphan-watcher"));

        // The expiry (4 s) counts from the detach, when the will was sent; the client never came back.
        await Task.Delay(TimeSpan.FromSeconds(8));
        var back = new MQTTnet.MqttClientFactory().CreateMqttClient();
        var connAck = await back.ConnectAsync(Clients.PersistentOptions(gateway, "orphan", cleanStart: false));
        Assert.False(connAck.IsSessionPresent, "the session of a client whose gateway silo died did not expire");
        await back.DisconnectAsync();
        await watcher.DisconnectAsync();
    }

    [Fact]
    public async Task A_session_stored_before_the_session_index_gets_its_entry_when_a_silo_starts()
    {
        await using var cluster = await SiloCluster.StartAsync(server, output, 1);
        var client = new MQTTnet.MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(Clients.PersistentOptions(cluster.Silos[0], "preindex", cleanStart: true));
        await Clients.SubscribeAsync(client, "preindex/t");
        await client.DisconnectAsync();

        // As a version before the index left the database: the session record, no index entry, no marker.
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using (var delete = new NpgsqlCommand("DELETE FROM robustmq.kv WHERE space = 'session_index'", connection))
        {
            Assert.True(await delete.ExecuteNonQueryAsync() >= 1, "the session had no index entry to begin with");
        }

        await cluster.AddSiloAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        long found;
        do
        {
            await Task.Delay(200);
            await using var count = new NpgsqlCommand("SELECT count(*) FROM robustmq.kv WHERE space = 'session_index' AND convert_from(key, 'UTF8') LIKE '%/preindex'", connection);
            found = (long)(await count.ExecuteScalarAsync())!;
        }
        while (found == 0 && DateTime.UtcNow < deadline);

        Assert.Equal(1, found);
    }

    /// <summary>Connects, trying again while the cluster has not yet declared the killed silo dead (up to 30 s).</summary>
    private async Task<IMqttClient> ConnectUntilServedAsync(Func<Task<IMqttClient>> connect)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // A refused CONNECT (CONNACK 0x88 while the killed silo is not yet declared dead) leaves the client unconnected.
                var client = await connect();
                if (client.IsConnected)
                {
                    return client;
                }

                client.Dispose();
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "not served within 30 s");
                output.WriteLine($"{clock.Elapsed.TotalSeconds:F2} s: refused");
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                output.WriteLine($"{clock.Elapsed.TotalSeconds:F2} s: not served yet: {ex.Message}");
            }

            await Task.Delay(200);
        }
    }
}
