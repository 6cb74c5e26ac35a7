using System.Collections.Concurrent;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Cluster.Tests.Infrastructure;

/// <summary>MQTTnet clients of one silo, and what they receive.</summary>
public static class Clients
{
    private static readonly MqttClientFactory Factory = new();

    /// <summary>An MQTT 5 client connected to <paramref name="silo"/>'s TCP listener, with <paramref name="received"/> (if given) collecting its messages.</summary>
    public static async Task<IMqttClient> ConnectAsync(BrokerExecutable silo, string clientId, Received? received = null, Action<MqttClientOptionsBuilder>? configure = null)
    {
        var client = Factory.CreateMqttClient();
        received?.Attach(client);
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", silo.MqttPort).WithClientId(clientId).WithTimeout(TimeSpan.FromSeconds(10));
        configure?.Invoke(options);
        await client.ConnectAsync(options.Build());
        return client;
    }

    /// <summary>
    /// An MQTT 5 client with a persistent session (expiry 1 h) on <paramref name="silo"/> that counts each payload (an
    /// integer) it receives in <paramref name="seen"/>; with <paramref name="cleanStart"/> it also subscribes to
    /// <paramref name="filter"/> at QoS 1. Returns the client and its CONNACK.
    /// </summary>
    public static async Task<(IMqttClient Client, MqttClientConnectResult ConnAck)> ConnectPersistentAsync(
        BrokerExecutable silo, string clientId, ConcurrentDictionary<int, int> seen, bool cleanStart, string filter)
    {
        var client = Factory.CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            seen.AddOrUpdate(int.Parse(e.ApplicationMessage.ConvertPayloadToString(), System.Globalization.CultureInfo.InvariantCulture), 1, (_, c) => c + 1);
            return Task.CompletedTask;
        };
        var connAck = await client.ConnectAsync(PersistentOptions(silo, clientId, cleanStart));
        if (cleanStart)
        {
            await SubscribeAsync(client, filter);
        }

        return (client, connAck);
    }

    /// <summary>MQTT 5 options for <paramref name="clientId"/>'s persistent session (expiry 1 h) on <paramref name="silo"/>.</summary>
    public static MqttClientOptions PersistentOptions(BrokerExecutable silo, string clientId, bool cleanStart) => new MqttClientOptionsBuilder()
        .WithTcpServer("127.0.0.1", silo.MqttPort)
        .WithClientId(clientId)
        .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
        .WithCleanStart(cleanStart)
        .WithSessionExpiryInterval(3600)
        .WithTimeout(TimeSpan.FromSeconds(10))
        .Build();

    /// <summary>
    /// Publishes <paramref name="message"/>, sending it again (after 50 ms) while it is refused (0x80 while a silo that
    /// went away is not yet declared dead: not acknowledged); fails if it is still refused at <paramref name="deadline"/>.
    /// </summary>
    public static async Task PublishUntilAcknowledgedAsync(IMqttClient publisher, MqttApplicationMessage message, DateTime deadline)
    {
        while (true)
        {
            var result = await publisher.PublishAsync(message);
            if (result.IsSuccess)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{message.ConvertPayloadToString()} on {message.Topic} still refused: {result.ReasonCode}");
            await Task.Delay(50);
        }
    }

    /// <summary>Publishes <paramref name="count"/> QoS 1 messages (payloads 0..count-1) on <paramref name="topic"/>, each sent again while refused; calls <paramref name="at"/> before message n.</summary>
    public static async Task<List<int>> PublishAcknowledgedAsync(IMqttClient publisher, string topic, int count, Func<int, Task>? at = null)
    {
        var acknowledged = new List<int>(count);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        for (var n = 0; n < count; n++)
        {
            if (at is not null)
            {
                await at(n);
            }

            var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(n.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
            await PublishUntilAcknowledgedAsync(publisher, message, deadline);
            acknowledged.Add(n);
        }

        return acknowledged;
    }

    /// <summary>
    /// After a persistent subscriber came back (<paramref name="back"/>, its CONNACK): waits up to 30 s until every
    /// acknowledged message is in <paramref name="seen"/>, writes the counts, and asserts session present and none lost.
    /// </summary>
    public static async Task AssertResumedAsync(List<int> acknowledged, ConcurrentDictionary<int, int> seen, MqttClientConnectResult back, Xunit.Abstractions.ITestOutputHelper output)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (acknowledged.Any(n => !seen.ContainsKey(n)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var lost = acknowledged.Where(n => !seen.ContainsKey(n)).ToList();
        output.WriteLine($"acknowledged {acknowledged.Count}, delivered {seen.Count} distinct, {seen.Values.Sum() - seen.Count} duplicates, lost {lost.Count}, session present {back.IsSessionPresent}");
        Assert.True(back.IsSessionPresent, "the session was not present on the other silo");
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged messages lost, first {string.Join(", ", lost.Take(10))}");
    }

    public static Task SubscribeAsync(IMqttClient client, string filter, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce) =>
        client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic(filter).WithQualityOfServiceLevel(qos)).Build());

    public static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, string topic, string payload, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce) =>
        client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos).Build());
}

/// <summary>The messages clients received, as (client id, topic, payload) in arrival order per client.</summary>
public sealed class Received
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(string Topic, string Payload)>> _byClient = new();

    public void Attach(IMqttClient client) =>
        client.ApplicationMessageReceivedAsync += e =>
        {
            _byClient.GetOrAdd(e.ClientId, _ => new()).Enqueue((e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload)));
            return Task.CompletedTask;
        };

    public IReadOnlyList<(string Topic, string Payload)> Of(string clientId) =>
        _byClient.TryGetValue(clientId, out var queue) ? [.. queue] : [];

    /// <summary>Waits until <paramref name="clientId"/> has received <paramref name="count"/> messages; fails with what it has after <paramref name="timeout"/>.</summary>
    public async Task WaitForAsync(string clientId, int count, string phase, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        var started = DateTime.UtcNow;
        while (Of(clientId).Count < count)
        {
            if (DateTime.UtcNow - started > limit)
            {
                Assert.Fail($"{phase}: {clientId} received {Of(clientId).Count} of {count} within {limit.TotalSeconds} s");
            }

            await Task.Delay(20);
        }
    }
}
