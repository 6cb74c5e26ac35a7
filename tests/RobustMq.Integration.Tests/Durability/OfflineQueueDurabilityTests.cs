using System.Globalization;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Durability;

/// <summary>
/// Issue 10's acceptance, as a user would run it: <c>seq 1 10000 | mosquitto_pub -l -q 1</c> into an offline persistent
/// subscriber (<c>mosquitto_sub -c -i ID -q 1</c>), <c>kill -9</c> of the broker, a restart on the same
/// <c>Storage:Path</c>, and the subscriber reconnects: every acknowledged message is delivered, session present.
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class OfflineQueueDurabilityTests
{
    private const int Messages = 10_000;

    [Theory]
    [InlineData("RocksDb")]
    [InlineData("Segment")]
    public async Task Ten_thousand_messages_queued_for_an_offline_session_are_delivered_after_a_kill_and_a_restart(string backend)
    {
        var data = Directory.CreateTempSubdirectory("robustmq-queue-").FullName;
        var clientId = $"durable-queue-{backend}";
        var topic = $"durable/queue/{backend}";
        try
        {
            await using (var first = await StartAsync(backend, data))
            {
                // A persistent session (clean session off) that subscribes and leaves at once (-E).
                await RunAsync(first, $"mosquitto_sub -h 127.0.0.1 -p {first.MqttPort} -V mqttv311 -c -i {clientId} -q 1 -t {topic} -E", "the subscriber's first visit");
                await RunAsync(first, $"seq 1 {Messages} | mosquitto_pub -h 127.0.0.1 -p {first.MqttPort} -V mqttv311 -q 1 -t {topic} -l", "mosquitto_pub of 10,000 QoS 1 lines", TimeSpan.FromSeconds(120));
                first.Kill();
            }

            await using var second = await StartAsync(backend, data);
            using var sub = CliProcess.Start("/bin/bash", "-c", $"mosquitto_sub -h 127.0.0.1 -p {second.MqttPort} -V mqttv311 -c -i {clientId} -q 1 -t {topic} -C {Messages} -W 120 -d");
            var code = await sub.WaitForExitAsync("the subscriber's return after the restart", TimeSpan.FromSeconds(150));

            var lines = sub.Output.Split('\n');
            var received = lines.Where(l => l.Length > 0 && char.IsAsciiDigit(l[0])).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToHashSet();
            Assert.True(code == 0, $"mosquitto_sub exited with {code}; {received.Count} distinct messages; {sub.Describe()}");
            Assert.Equal(Messages, received.Count);
            Assert.Equal(Enumerable.Range(1, Messages), received.Order());

            // mosquitto_sub's log does not show the session-present flag: ask for the session as MQTTnet.
            using var again = Mqtt.NewClient();
            var connAck = await again.ConnectAsync(new MQTTnet.MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", second.MqttPort)
                .WithClientId(clientId).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311).WithCleanSession(false).Build());
            Assert.True(connAck.IsSessionPresent, "the restored session is present");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<BrokerExecutable> StartAsync(string backend, string data)
    {
        var broker = BrokerExecutable.Start(
            [$"--Storage:Path={data}", $"--Storage:Default={backend}", "--Sys:IntervalSeconds=0", $"--Mqtt:MaxQueuedMessages={2 * Messages}"]);
        await broker.WaitStartedAsync($"{backend} broker start-up");
        return broker;
    }

    private static async Task RunAsync(BrokerExecutable broker, string command, string phase, TimeSpan? timeout = null)
    {
        using var process = CliProcess.Start("/bin/bash", "-c", command);
        var code = await process.WaitForExitAsync(phase, timeout ?? TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"{phase}: exit code {code}; {process.Describe()}\n{broker.Log}");
    }
}
