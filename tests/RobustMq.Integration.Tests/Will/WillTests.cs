using System.Diagnostics;
using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Will;

public sealed class WillTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Will_is_published_when_a_v311_connection_closes_without_disconnect()
    {
        using var watcher = Mqtt.NewClient();
        var received = await WatchAsync(watcher, "will-raw-watch", "will/raw");
        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync("will-raw", RawPackets.V311, will: new RawWill("will/raw", "raw-gone", QoS: 1));

        raw.Dispose();

        var will = await received.NextAsync("watcher waits for the will of the closed raw connection");
        Assert.Equal(("will/raw", "raw-gone"), (will.Topic, will.ConvertPayloadToString()));
    }

    [Fact]
    public async Task Will_is_published_when_a_v5_client_drops_its_socket()
    {
        using var watcher = Mqtt.NewClient();
        var received = await WatchAsync(watcher, "will-drop-watch", "will/drop");
        var client = await Mqtt.ConnectAsync(broker, "will-drop", configure: o => o.WithWillTopic("will/drop").WithWillPayload("dropped")
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));

        client.Dispose(); // no DISCONNECT packet: the socket is just closed

        var will = await received.NextAsync("watcher waits for the will of the dropped client");
        Assert.Equal(("will/drop", "dropped"), (will.Topic, will.ConvertPayloadToString()));
    }

    [Fact]
    public async Task Will_is_not_published_after_a_normal_disconnect()
    {
        using var watcher = Mqtt.NewClient();
        var received = await WatchAsync(watcher, "will-normal-watch", "will/normal");
        using var client = await Mqtt.ConnectAsync(broker, "will-normal", configure: o => o.WithWillTopic("will/normal").WithWillPayload("must-not-arrive"));

        await client.DisconnectAsync();

        var will = await received.NoneWithinAsync(TimeSpan.FromSeconds(1));
        Assert.True(will is null, $"a will arrived after a normal DISCONNECT: {will?.ConvertPayloadToString()}");
    }

    [Fact]
    public async Task Will_is_published_after_disconnect_with_will_message_reason()
    {
        using var watcher = Mqtt.NewClient();
        var received = await WatchAsync(watcher, "will-0x04-watch", "will/0x04");
        using var client = await Mqtt.ConnectAsync(broker, "will-0x04", configure: o => o.WithWillTopic("will/0x04").WithWillPayload("asked-for"));

        await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.DisconnectWithWillMessage).Build());

        var will = await received.NextAsync("watcher waits for the will after DISCONNECT 0x04");
        Assert.Equal("asked-for", will.ConvertPayloadToString());
    }

    [Fact]
    public async Task Will_is_published_after_a_disconnect_with_an_error_reason_code()
    {
        // MQTT 5 section 3.1.2.5: only a DISCONNECT with 0x00 deletes the will.
        using var watcher = Mqtt.NewClient();
        var received = await WatchAsync(watcher, "will-0x80-watch", "will/0x80");
        using var client = await Mqtt.ConnectAsync(broker, "will-0x80", configure: o => o.WithWillTopic("will/0x80").WithWillPayload("failed"));

        await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.UnspecifiedError).Build());

        var will = await received.NextAsync("watcher waits for the will after DISCONNECT 0x80");
        Assert.Equal("failed", will.ConvertPayloadToString());
    }

    [Fact]
    public async Task Delayed_will_is_published_after_the_will_delay()
    {
        using var watcher = Mqtt.NewClient();
        var received = await WatchAsync(watcher, "will-delay-watch", "will/delay");
        var client = await Mqtt.ConnectAsync(broker, "will-delay", configure: o => o.WithWillTopic("will/delay").WithWillPayload("late")
            .WithWillDelayInterval(2).WithSessionExpiryInterval(10));

        var clock = Stopwatch.StartNew();
        client.Dispose();

        var will = await received.NextAsync("watcher waits for the delayed will");
        clock.Stop();
        Assert.Equal("late", will.ConvertPayloadToString());
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.8), $"the will came {clock.Elapsed.TotalSeconds:F2} s after the drop, before its 2 s delay");
    }

    [Fact]
    public async Task Reconnecting_before_the_will_delay_cancels_the_will()
    {
        using var watcher = Mqtt.NewClient();
        var received = await WatchAsync(watcher, "will-cancel-watch", "will/cancel");
        var client = await Mqtt.ConnectAsync(broker, "will-cancel", configure: o => o.WithWillTopic("will/cancel").WithWillPayload("cancelled")
            .WithWillDelayInterval(1).WithSessionExpiryInterval(10));
        client.Dispose();

        using var again = await Mqtt.ConnectAsync(broker, "will-cancel", configure: o => o.WithCleanStart(false).WithSessionExpiryInterval(10));

        // Longer than the 1 s will delay plus the broker's timer granularity.
        var will = await received.NoneWithinAsync(TimeSpan.FromSeconds(2.5));
        Assert.True(will is null, $"the will was published although the client came back: {will?.ConvertPayloadToString()}");
        await again.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithSessionExpiryInterval(0).Build());
    }

    [Fact]
    public async Task A_clean_start_before_the_will_delay_ends_the_session_and_sends_the_will_then()
    {
        // MQTT 5 3.1.3.2.2: the will goes out when its delay passes or the session ends, whichever comes first; a
        // CONNECT with Clean Start ends the old session.
        using var watcher = Mqtt.NewClient();
        var received = await WatchAsync(watcher, "will-clean-watch", "will/clean");
        var client = await Mqtt.ConnectAsync(broker, "will-clean", configure: o => o.WithWillTopic("will/clean").WithWillPayload("ended")
            .WithWillDelayInterval(60).WithSessionExpiryInterval(120));
        client.Dispose();

        var clock = Stopwatch.StartNew();
        using var again = await Mqtt.ConnectAsync(broker, "will-clean", configure: o => o.WithCleanStart(true).WithSessionExpiryInterval(10));

        var will = await received.NextAsync("watcher waits for the will of the session the clean start ended", TimeSpan.FromSeconds(20));
        Assert.Equal("ended", will.ConvertPayloadToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the will came only after {clock.Elapsed.TotalSeconds:F1} s");
        await again.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithSessionExpiryInterval(0).Build());
    }

    [Fact]
    public async Task Will_with_retain_is_kept_as_the_retained_message()
    {
        using var watcher = Mqtt.NewClient();
        var live = await WatchAsync(watcher, "will-retain-watch", "will/retained");
        using (var raw = await RawClient.OpenAsync(broker))
        {
            await raw.ConnectAsync("will-retain", RawPackets.V5, will: new RawWill("will/retained", "last-words", QoS: 1, Retain: true));
            raw.Abort();
        }

        await live.NextAsync("watcher waits for the retained will to be published");
        using var late = Mqtt.NewClient();
        var stored = await WatchAsync(late, "will-retain-late", "will/retained");

        var will = await stored.NextAsync("later subscriber waits for the retained will");
        Assert.Equal(("last-words", true), (will.ConvertPayloadToString(), will.Retain));
    }

    private async Task<MessageCollector> WatchAsync(IMqttClient watcher, string clientId, string topic)
    {
        var received = new MessageCollector(watcher);
        await watcher.ConnectAsync(Mqtt.Options(broker, clientId).Build());
        await watcher.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        return received;
    }
}
