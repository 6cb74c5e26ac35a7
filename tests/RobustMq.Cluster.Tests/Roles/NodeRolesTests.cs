using System.Net.Http.Json;
using MQTTnet;
using System.Net.Sockets;
using System.Text.Json;
using RobustMq.Cluster.Tests.Infrastructure;
using RobustMq.Integration.Tests.Infrastructure;
using RobustMq.Storage.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RobustMq.Cluster.Tests.Roles;

/// <summary>
/// <c>Node:Roles</c>: a grains-only silo opens no MQTT listener and hosts the durable grains; a gateway-only silo serves
/// MQTT clients and hosts none of them (its admin API lists what it hosts).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class NodeRolesTests(PostgresServer server, ITestOutputHelper output)
{
    private static readonly string[] Durable = ["SessionGrain", "SessionDirectoryGrain", "TopicShardGrain", "RetainedStoreGrain", "SharedGroupGrain"];

    [Fact]
    public async Task A_gateway_only_silo_serves_clients_while_the_grains_only_silo_holds_their_sessions()
    {
        await using var cluster = await SiloCluster.StartAsync(server, output, 0);
        var grains = await cluster.AddSiloAsync("--Node:Roles=grains");
        var gateway = await cluster.AddSiloAsync("--Node:Roles=gateway");

        // The grains silo has no MQTT listener.
        using (var probe = new TcpClient())
        {
            await Assert.ThrowsAsync<SocketException>(() => probe.ConnectAsync("127.0.0.1", grains.MqttPort));
        }

        // Everything an MQTT client does goes through the gateway silo: a persistent session, a retained message, a
        // publish from another client, and the session found again after a reconnect.
        var received = new Received();
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        var (subscriber, first) = await Clients.ConnectPersistentAsync(gateway, "roles-sub", seen, cleanStart: true, "roles/#");
        Assert.False(first.IsSessionPresent);
        var publisher = await Clients.ConnectAsync(gateway, "roles-pub");
        var acknowledged = await Clients.PublishAcknowledgedAsync(publisher, "roles/a", 50);
        await subscriber.DisconnectAsync();
        var (_, back) = await Clients.ConnectPersistentAsync(gateway, "roles-sub", seen, cleanStart: false, "roles/#");
        await Clients.AssertResumedAsync(acknowledged, seen, back, output);

        var onGateway = await ActivationsAsync(gateway);
        var onGrains = await ActivationsAsync(grains);
        output.WriteLine($"gateway silo hosts {JsonSerializer.Serialize(onGateway)}; grains silo {JsonSerializer.Serialize(onGrains)}");
        Assert.All(Durable, type => Assert.False(onGateway.ContainsKey(type), $"the gateway-only silo hosts {type}"));
        Assert.True(onGrains.GetValueOrDefault("SessionGrain") >= 1, "the grains silo hosts no session");
        Assert.True(onGrains.GetValueOrDefault("TopicShardGrain") >= 1, "the grains silo hosts no topic shard");
    }

    [Theory]
    [InlineData("--Node:Roles=broker", "Node:Roles must be gateway, grains, or gateway,grains")]
    [InlineData("--Node:Roles=", "Node:Roles must be gateway, grains, or gateway,grains")]
    public async Task Unknown_roles_stop_start_up_naming_the_key(string roles, string expected)
    {
        await using var silo = BrokerExecutable.Start([.. SiloCluster.SiloArguments(server.ConnectionString()), roles]);
        Assert.Equal(2, await silo.WaitForExitAsync($"robustmq {roles}"));
        Assert.Contains(expected, silo.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_single_node_must_have_both_roles()
    {
        await using var silo = BrokerExecutable.Start(["--Node:Roles=gateway"]);
        Assert.Equal(2, await silo.WaitForExitAsync("a single node with Node:Roles gateway"));
        Assert.Contains("Node:Roles 'gateway' needs a cluster (Cluster:Mode AdoNet)", silo.Log, StringComparison.Ordinal);
    }

    private static async Task<Dictionary<string, int>> ActivationsAsync(BrokerExecutable silo)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{silo.Ports["Admin:Port"]}") };
        using var node = await http.GetFromJsonAsync<JsonDocument>("/api/node");
        return node!.RootElement.GetProperty("activations").Deserialize<Dictionary<string, int>>()!;
    }
}
