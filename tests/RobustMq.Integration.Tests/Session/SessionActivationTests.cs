using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;
using Orleans.Runtime;
using RobustMq.Abstractions.Sessions;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Session;

/// <summary>
/// A session grain is active only while there is work (issue 10): a persistent session whose connection serves it has
/// none, so an idle connected client costs its connection only, on RocksDB (the fixture's store). Its session is
/// loaded again whenever a call needs it.
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class SessionActivationTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    private const int Clients = 20;

    [Fact]
    public async Task Connected_idle_persistent_clients_hold_no_session_grain_and_their_sessions_load_again_when_needed()
    {
        var clients = new List<IMqttClient>();
        try
        {
            for (var i = 0; i < Clients; i++)
            {
                var client = Mqtt.NewClient();
                await client.ConnectAsync(Mqtt.Options(broker, $"activation-{i}").WithSessionExpiryInterval(3600).WithCleanStart(false).Build());
                await client.SubscribeAsync($"activation/{i}", MqttQualityOfServiceLevel.AtLeastOnce);
                clients.Add(client);
            }

            var active = await WaitForSessionGrainsAsync(count => count == 0, "no session grain while every client is connected and idle");
            Assert.Equal(0, active);

            // A backend service asks for one of them: loaded from storage, still connected, its subscription there.
            var info = await broker.Services.GetRequiredService<IGrainFactory>().GetGrain<ISessionGrain>("activation-3").GetInfo();
            Assert.True(info.Exists && info.Connected, $"session activation-3: exists {info.Exists}, connected {info.Connected}");
            Assert.Equal("activation/3", Assert.Single(info.Subscriptions).Filter);

            // Messages still reach them through their routes, no grain needed.
            var received = new MessageCollector(clients[5]);
            using var publisher = await Mqtt.ConnectAsync(broker, "activation-pub");
            await publisher.PublishAsync(Mqtt.Message("activation/5", "still here", MqttQualityOfServiceLevel.AtLeastOnce).Build());
            Assert.Equal("still here", (await received.NextAsync("the idle client's message")).ConvertPayloadToString());

            // Disconnected, their sessions wait in their grains (will and expiry timers run there).
            foreach (var client in clients)
            {
                await client.DisconnectAsync();
            }

            var waiting = await WaitForSessionGrainsAsync(count => count >= Clients, "a session grain for each disconnected client");
            Assert.InRange(waiting, Clients, Clients + 2);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>The SessionGrain activations on the silo, polled until <paramref name="done"/> (at most 10 s).</summary>
    private async Task<int> WaitForSessionGrainsAsync(Func<int, bool> done, string phase)
    {
        var management = broker.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var count = -1;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var statistics = await management.GetSimpleGrainStatistics();
            count = statistics.Where(s => s.GrainType.Contains("SessionGrain", StringComparison.Ordinal) && !s.GrainType.Contains("Directory", StringComparison.Ordinal))
                .Sum(s => s.ActivationCount);
            if (done(count))
            {
                return count;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{phase}: {count} session grains active after 10 s");
        return count;
    }
}
