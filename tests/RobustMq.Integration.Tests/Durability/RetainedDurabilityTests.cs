using System.Text;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Durability;

/// <summary>
/// Retained messages outlive the broker process: published (and acknowledged) before a <c>kill -9</c>, they are
/// there after a restart on the same <c>Storage:Path</c>, properties and all; a cleared one stays cleared. Against
/// the real executable, for each durable local backend.
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class RetainedDurabilityTests
{
    [Theory]
    [InlineData("RocksDb")]
    [InlineData("Segment")]
    public async Task Acknowledged_retained_messages_survive_a_kill_and_a_restart(string backend)
    {
        var data = Directory.CreateTempSubdirectory("robustmq-durable-").FullName;
        try
        {
            await using (var first = await StartAsync(backend, data))
            {
                using var publisher = await Mqtt.ConnectAsync(first, "durable-pub");
                await PublishAsync(publisher, Mqtt.Message("durable/a", "alpha", MqttQualityOfServiceLevel.AtLeastOnce)
                    .WithRetainFlag().WithContentType("text/plain").WithUserProperty("k", "v"u8.ToArray()).WithCorrelationData([]));
                await PublishAsync(publisher, Mqtt.Message("durable/b", "beta", MqttQualityOfServiceLevel.ExactlyOnce).WithRetainFlag());
                await PublishAsync(publisher, Mqtt.Message("durable/gone", "x", MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag());
                await PublishAsync(publisher, new MqttApplicationMessageBuilder().WithTopic("durable/gone").WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));

                // kill -9: no shutdown, no flush beyond what each acknowledgement waited for.
                first.Kill();
            }

            await using var second = await StartAsync(backend, data);
            using var subscriber = await Mqtt.ConnectAsync(second, "durable-sub");
            var received = new List<MqttApplicationMessage>();
            var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            subscriber.ApplicationMessageReceivedAsync += e =>
            {
                lock (received)
                {
                    received.Add(e.ApplicationMessage);
                    if (received.Count == 2)
                    {
                        all.TrySetResult();
                    }
                }

                return Task.CompletedTask;
            };

            await subscriber.SubscribeAsync("durable/#", MqttQualityOfServiceLevel.AtLeastOnce);
            await all.Task.WaitAsync(TimeSpan.FromSeconds(10));

            var byTopic = received.ToDictionary(m => m.Topic);
            Assert.Equal(["durable/a", "durable/b"], byTopic.Keys.Order(StringComparer.Ordinal));
            var a = byTopic["durable/a"];
            Assert.Equal(("alpha", true, "text/plain"), (Encoding.UTF8.GetString(a.Payload), a.Retain, a.ContentType));
            Assert.Equal(("k", "v"), (a.UserProperties.Single().Name, a.UserProperties.Single().ReadValueAsString()));
            Assert.NotNull(a.CorrelationData);
            Assert.Empty(a.CorrelationData);
            Assert.Equal("beta", Encoding.UTF8.GetString(byTopic["durable/b"].Payload));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task A_second_broker_on_the_same_storage_path_stops_naming_the_key()
    {
        var data = Directory.CreateTempSubdirectory("robustmq-durable-").FullName;
        try
        {
            await using var first = await StartAsync("RocksDb", data);
            await using var second = BrokerExecutable.Start([$"--Storage:Path={data}", "--Storage:Default=RocksDb"]);

            var exitCode = await second.WaitForExitAsync("second broker on the first one's Storage:Path", TimeSpan.FromSeconds(60));

            Assert.True(exitCode == 2, $"exit code {exitCode}, expected 2; output:\n{second.Log}");
            Assert.Contains("cannot open storage: Storage:Path", second.Log, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<BrokerExecutable> StartAsync(string backend, string data)
    {
        var broker = BrokerExecutable.Start([$"--Storage:Path={data}", $"--Storage:Default={backend}", "--Sys:IntervalSeconds=0"]);
        await broker.WaitStartedAsync($"{backend} broker start-up");
        return broker;
    }

    private static async Task PublishAsync(IMqttClient client, MqttApplicationMessageBuilder message)
    {
        var result = await client.PublishAsync(message.Build());
        Assert.True(result.IsSuccess, $"publish not acknowledged: {result.ReasonCode}");
    }
}
