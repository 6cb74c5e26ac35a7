using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.RegularExpressions;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Limits;

/// <summary>
/// A broker with overload limits (issue 13): 3 subscriptions a client, topics of 4 levels and 64 characters at most,
/// 20 PUBLISH and 100 kB a second a client (throttled), 5 new WebSocket connections a second.
/// </summary>
public sealed class OverloadBrokerFixture : BrokerFixture
{
    protected override IEnumerable<string> ExtraArguments =>
    [
        "--Mqtt:MaxSubscriptions=3", "--Mqtt:MaxTopicLevels=4", "--Mqtt:MaxTopicLength=64",
        "--Mqtt:MaxMessageRate=20", "--Mqtt:MaxByteRate=100000",
        "--Listeners:WebSocket:MaxConnectionRate=5",
    ];
}

/// <summary>The same limits of rate, but a client over them is disconnected rather than throttled.</summary>
public sealed class RateDisconnectBrokerFixture : BrokerFixture
{
    protected override IEnumerable<string> ExtraArguments => ["--Mqtt:MaxMessageRate=5", "--Mqtt:RateExceeded=Disconnect"];
}

/// <summary>Overload limits: each refusal is the reason code the spec gives, each is counted in <c>robustmq_overload_total</c>.</summary>
[Trait("Topology", "SingleNode")]
public sealed class OverloadTests(OverloadBrokerFixture broker) : IClassFixture<OverloadBrokerFixture>
{
    private async Task<double> OverloadCountAsync(string limit)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{broker.AdminPort}"), Timeout = TimeSpan.FromSeconds(10) };
        var body = await http.GetStringAsync("/metrics");
        var match = Regex.Match(body, "(?m)^robustmq_overload_total\\{limit=\"" + limit + "\"\\} (\\S+)$");
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    [Fact]
    public async Task Subscriptions_past_the_quota_are_refused_with_0x97_and_held_ones_may_be_renewed()
    {
        var before = await OverloadCountAsync("subscriptions");
        using var client = await Mqtt.ConnectAsync(broker, "quota-sub");

        var first = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("quota/a").WithTopicFilter("quota/b").WithTopicFilter("quota/c").WithTopicFilter("quota/d").Build());
        var again = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("quota/a").WithTopicFilter("quota/e").Build());

        Assert.Equal(
            [MqttClientSubscribeResultCode.GrantedQoS0, MqttClientSubscribeResultCode.GrantedQoS0, MqttClientSubscribeResultCode.GrantedQoS0, MqttClientSubscribeResultCode.QuotaExceeded],
            first.Items.Select(i => i.ResultCode));
        Assert.Equal([MqttClientSubscribeResultCode.GrantedQoS0, MqttClientSubscribeResultCode.QuotaExceeded], again.Items.Select(i => i.ResultCode));
        await client.UnsubscribeAsync("quota/b");
        var freed = await client.SubscribeAsync("quota/e");
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS0, freed.Items.Single().ResultCode);
        Assert.Equal(before + 2, await OverloadCountAsync("subscriptions"));
    }

    [Fact]
    public async Task On_3_1_1_a_subscription_past_the_quota_gets_0x80()
    {
        using var client = await Mqtt.ConnectAsync(broker, "quota-311", MqttProtocolVersion.V311);

        var result = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("q311/a").WithTopicFilter("q311/b").WithTopicFilter("q311/c").WithTopicFilter("q311/d").Build());

        Assert.Equal(MqttClientSubscribeResultCode.UnspecifiedError, result.Items.Last().ResultCode);
        Assert.All(result.Items.Take(3), i => Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS0, i.ResultCode));
    }

    [Fact]
    public async Task Topics_over_the_level_or_length_limit_are_refused_with_0x8F_and_0x90()
    {
        var levelsBefore = await OverloadCountAsync("topic_levels");
        var lengthBefore = await OverloadCountAsync("topic_length");
        using var client = await Mqtt.ConnectAsync(broker, "topic-limits");
        var deep = "a/b/c/d/e";
        var longName = "long/" + new string('x', 60);

        var subscribed = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(deep).WithTopicFilter(longName).WithTopicFilter("a/b/c/d").Build());
        var published = await client.PublishAsync(Mqtt.Message(deep, "deep", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var publishedLong = await client.PublishAsync(Mqtt.Message(longName, "long", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync("topic-limits-raw");
        await raw.SendAsync(RawPackets.Publish(deep, "deep", RawPackets.V5, qos: 2, packetId: 9));
        var pubRec = await raw.ExpectAsync(RawPacket.PubRec, "PUBREC of a QoS 2 PUBLISH over the level limit");

        Assert.Equal(
            [MqttClientSubscribeResultCode.TopicFilterInvalid, MqttClientSubscribeResultCode.TopicFilterInvalid, MqttClientSubscribeResultCode.GrantedQoS0],
            subscribed.Items.Select(i => i.ResultCode));
        Assert.Equal(MqttClientPublishReasonCode.TopicNameInvalid, published.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.TopicNameInvalid, publishedLong.ReasonCode);
        Assert.Equal(0x90, pubRec.ReasonCode);
        Assert.Equal(levelsBefore + 3, await OverloadCountAsync("topic_levels"));
        Assert.Equal(lengthBefore + 2, await OverloadCountAsync("topic_length"));
    }

    [Fact]
    public async Task A_client_over_its_message_rate_is_throttled_while_another_is_not()
    {
        using var subscriber = await Mqtt.ConnectAsync(broker, "rate-sub");
        var order = new List<string>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            lock (order)
            {
                order.Add(e.ApplicationMessage.ConvertPayloadToString());
                if (order.Count == 85)
                {
                    all.TrySetResult();
                }
            }

            return Task.CompletedTask;
        };
        await subscriber.SubscribeAsync("rate/#");
        using var flooder = await Mqtt.ConnectAsync(broker, "rate-flooder");
        using var other = await Mqtt.ConnectAsync(broker, "rate-other");
        var before = await OverloadCountAsync("message_rate");
        var clock = Stopwatch.StartNew();

        // 80 at 20 a second, 20 of them at once: at least 3 s. QoS 0 is not held back by acknowledgements, only the rate.
        for (var i = 0; i < 80; i++)
        {
            await flooder.PublishAsync(Mqtt.Message("rate/flood", "f" + i).Build());
        }

        for (var i = 0; i < 5; i++)
        {
            await other.PublishAsync(Mqtt.Message("rate/other", "o" + i).Build());
        }

        await all.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.5), $"80 PUBLISH at 20/s took only {clock.Elapsed.TotalSeconds:F1} s");
        // The other client's messages passed the flooder's, held back in its socket.
        Assert.True(order.IndexOf("o4") < order.IndexOf("f79"), "the other client's messages waited behind the throttled one's: " + string.Join(' ', order));
        Assert.Equal(Enumerable.Range(0, 80).Select(i => "f" + i), order.Where(m => m[0] == 'f'));
        Assert.True(await OverloadCountAsync("message_rate") > before);
    }

    [Fact]
    public async Task A_client_over_its_byte_rate_is_throttled_and_loses_nothing()
    {
        using var subscriber = await Mqtt.ConnectAsync(broker, "bytes-sub");
        var received = new MessageCollector(subscriber);
        await subscriber.SubscribeAsync("bytes/big", MqttQualityOfServiceLevel.AtLeastOnce);
        using var publisher = await Mqtt.ConnectAsync(broker, "bytes-pub");
        var payload = new byte[40_000];
        var before = await OverloadCountAsync("byte_rate");
        var clock = Stopwatch.StartNew();

        // 10 x 40 kB at 100 kB a second, 100 kB at once: at least 3 s.
        for (var i = 0; i < 10; i++)
        {
            await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("bytes/big").WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        }

        for (var i = 0; i < 10; i++)
        {
            await received.NextAsync($"big message {i}", TimeSpan.FromSeconds(30));
        }

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.5), $"400 kB at 100 kB/s took only {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(await OverloadCountAsync("byte_rate") > before);
    }

    [Fact]
    public async Task New_connections_past_the_listeners_rate_wait_their_turn_or_are_closed_and_the_listener_recovers()
    {
        var before = await OverloadCountAsync("connection_rate");

        // 15 at once against 5 a second: 5 at once, the next ones up to a second's wait, the rest closed at once.
        var clock = Stopwatch.StartNew();
        var attempts = await Task.WhenAll(Enumerable.Range(0, 15).Select(async _ =>
        {
            var socket = new ClientWebSocket();
            socket.Options.AddSubProtocol("mqtt");
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{broker.WebSocketPort}/mqtt"), timeout.Token);
                return (socket, Opened: true, clock.Elapsed);
            }
            catch (WebSocketException)
            {
                return (socket, Opened: false, clock.Elapsed);
            }
        }));

        var opened = attempts.Where(a => a.Opened).ToList();
        Assert.True(opened.Count >= 5, $"only {opened.Count} of 15 opened");
        Assert.True(opened.Count < 15, "all 15 opened: none was closed for the rate");
        Assert.True(opened.Max(a => a.Elapsed) >= TimeSpan.FromSeconds(0.5), "no connection waited for its turn");
        Assert.True(await OverloadCountAsync("connection_rate") >= before + 10);
        foreach (var attempt in attempts)
        {
            attempt.socket.Dispose();
        }

        // The flood queued no long waits: a second later a client gets in at once.
        await Task.Delay(TimeSpan.FromSeconds(2));
        using var client = Mqtt.NewClient();
        var result = await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithWebSocketServer(o => o.WithUri($"ws://127.0.0.1:{broker.WebSocketPort}/mqtt")).WithClientId("rate-after-flood").WithTimeout(TimeSpan.FromSeconds(5)).Build());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
    }
}

/// <summary><c>Mqtt:RateExceeded=Disconnect</c>: the client over its rate is told why and closed.</summary>
[Trait("Topology", "SingleNode")]
public sealed class RateDisconnectTests(RateDisconnectBrokerFixture broker) : IClassFixture<RateDisconnectBrokerFixture>
{
    [Fact]
    public async Task A_client_over_its_message_rate_gets_0x96()
    {
        using var client = Mqtt.NewClient();
        var closed = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += e =>
        {
            closed.TrySetResult(e);
            return Task.CompletedTask;
        };
        await client.ConnectAsync(Mqtt.Options(broker, "rate-disconnect").Build());

        for (var i = 0; i < 20 && client.IsConnected; i++)
        {
            try
            {
                await client.PublishAsync(Mqtt.Message("rate/disconnect", "m" + i).Build());
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException)
            {
                break;
            }
        }

        var disconnected = await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(MqttClientDisconnectReason.MessageRateTooHigh, disconnected.Reason);
    }
}
