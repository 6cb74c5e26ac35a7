using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Durability;

/// <summary>
/// A will is sent once. A persistent 3.1.1 session (clean session off) whose client drops its socket sends its will at
/// once (3.1.1 has no will delay); a restart of the broker on the same storage, which wakes every stored session whose
/// will or expiry is due, must not send it again.
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class WillDurabilityTests
{
    [Fact]
    public async Task A_will_sent_when_a_persistent_client_dropped_its_socket_is_not_sent_again_after_a_restart()
    {
        var data = Directory.CreateTempSubdirectory("robustmq-will-").FullName;
        try
        {
            await using (var first = await StartAsync(data))
            {
                // The watcher's persistent session queues what comes while it is away, across the restart too.
                using (var watcher = Mqtt.NewClient())
                {
                    await watcher.ConnectAsync(Options(first, "will-once-watcher").Build());
                    await watcher.SubscribeAsync("durable/will", MqttQualityOfServiceLevel.AtLeastOnce);
                    await watcher.DisconnectAsync();
                }

                var device = Mqtt.NewClient();
                await device.ConnectAsync(Options(first, "will-once-device")
                    .WithWillTopic("durable/will").WithWillPayload("gone").WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
                device.Dispose(); // no DISCONNECT packet: the socket is just closed

                // The will is queued for the watcher; give the broker a moment to store it before it stops.
                using var check = Mqtt.NewClient();
                var wills = new List<string>();
                check.ApplicationMessageReceivedAsync += e =>
                {
                    lock (wills)
                    {
                        wills.Add(e.ApplicationMessage.ConvertPayloadToString());
                    }

                    return Task.CompletedTask;
                };
                await check.ConnectAsync(Options(first, "will-once-watcher").Build());
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
                while (DateTime.UtcNow < deadline && wills.Count == 0)
                {
                    await Task.Delay(50);
                }

                Assert.Equal(["gone"], wills);
                await check.DisconnectAsync();
            }

            await using var second = await StartAsync(data);
            using var back = Mqtt.NewClient();
            var again = new List<string>();
            back.ApplicationMessageReceivedAsync += e =>
            {
                lock (again)
                {
                    again.Add(e.ApplicationMessage.ConvertPayloadToString());
                }

                return Task.CompletedTask;
            };
            var connAck = await back.ConnectAsync(Options(second, "will-once-watcher").Build());
            Assert.True(connAck.IsSessionPresent);
            // Whatever the restart sends the watcher arrives within this (a second will would be queued at start-up).
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Empty(again);
            await back.DisconnectAsync();
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static MqttClientOptionsBuilder Options(BrokerExecutable broker, string clientId) => new MqttClientOptionsBuilder()
        .WithTcpServer("127.0.0.1", broker.MqttPort)
        .WithClientId(clientId)
        .WithProtocolVersion(MqttProtocolVersion.V311)
        .WithCleanSession(false)
        .WithTimeout(TimeSpan.FromSeconds(10));

    private static async Task<BrokerExecutable> StartAsync(string data)
    {
        var broker = BrokerExecutable.Start([$"--Storage:Path={data}", "--Storage:Default=RocksDb", "--Sys:IntervalSeconds=0"]);
        await broker.WaitStartedAsync("RocksDB broker start-up");
        return broker;
    }
}
