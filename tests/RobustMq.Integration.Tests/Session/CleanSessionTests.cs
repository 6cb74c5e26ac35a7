using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Session;

/// <summary>
/// Clean sessions (expiry 0) are served by their connection alone, with the session directory keeping client
/// ids unique; these cover the hand-overs between that path and session grains.
/// </summary>
public sealed class CleanSessionTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task A_clean_session_taken_over_by_a_clean_connection_keeps_the_new_connections_identical_subscription()
    {
        for (var round = 0; round < 5; round++)
        {
            using var first = await Mqtt.ConnectAsync(broker, "clean-takeover");
            await first.SubscribeAsync("clean/takeover", MqttQualityOfServiceLevel.AtLeastOnce);
            using var second = Mqtt.NewClient();
            var received = new MessageCollector(second);

            // The same filter and options: the old connection removing its route must not remove the new one's.
            await second.ConnectAsync(Mqtt.Options(broker, "clean-takeover").Build());
            await second.SubscribeAsync("clean/takeover", MqttQualityOfServiceLevel.AtLeastOnce);
            using var publisher = await Mqtt.ConnectAsync(broker, "clean-takeover-pub");
            await publisher.PublishAsync(Mqtt.Message("clean/takeover", $"round {round}", MqttQualityOfServiceLevel.AtLeastOnce).Build());

            var message = await received.NextAsync($"round {round}: the connection that took over waits for a message on its subscription");
            Assert.Equal($"round {round}", message.ConvertPayloadToString());
            await second.DisconnectAsync();
        }
    }

    [Fact]
    public async Task A_clean_client_reconnecting_at_once_keeps_the_subscription_it_makes_again()
    {
        using var publisher = await Mqtt.ConnectAsync(broker, "clean-again-pub");
        using var client = Mqtt.NewClient();
        var received = new MessageCollector(client);
        for (var round = 0; round < 5; round++)
        {
            // The old connection lets go of its identical route while the new one subscribes again.
            await client.ConnectAsync(Mqtt.Options(broker, "clean-again").Build());
            await client.SubscribeAsync("clean/again", MqttQualityOfServiceLevel.AtLeastOnce);
            await publisher.PublishAsync(Mqtt.Message("clean/again", $"round {round}", MqttQualityOfServiceLevel.AtLeastOnce).Build());

            var message = await received.NextAsync($"round {round}: the reconnected client waits for a message on its subscription");
            Assert.Equal($"round {round}", message.ConvertPayloadToString());
            await client.DisconnectAsync();
        }
    }

    [Fact]
    public async Task A_persistent_connection_taking_over_a_clean_session_closes_it_and_its_will_is_published()
    {
        using var watcher = Mqtt.NewClient();
        var wills = new MessageCollector(watcher);
        await watcher.ConnectAsync(Mqtt.Options(broker, "clean-to-persistent-watcher").Build());
        await watcher.SubscribeAsync("clean/to-persistent/will", MqttQualityOfServiceLevel.AtLeastOnce);
        using var clean = Mqtt.NewClient();
        var cleanClosed = new DisconnectWatcher(clean);
        await clean.ConnectAsync(Mqtt.Options(broker, "clean-to-persistent")
            .WithWillTopic("clean/to-persistent/will").WithWillPayload("gone").WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        using var persistent = Mqtt.NewClient();
        var connAck = await persistent.ConnectAsync(Mqtt.Options(broker, "clean-to-persistent").WithCleanStart(false).WithSessionExpiryInterval(60).Build());

        Assert.False(connAck.IsSessionPresent);
        Assert.Equal(MqttClientDisconnectReason.SessionTakenOver, (await cleanClosed.WaitAsync("clean connection taken over by a persistent one")).Reason);
        Assert.Equal("gone", (await wills.NextAsync("watcher waits for the clean session's will")).ConvertPayloadToString());
        await persistent.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithSessionExpiryInterval(0).Build());
    }

    [Fact]
    public async Task A_clean_connection_discards_the_persistent_session_of_its_client_id()
    {
        using (var persistent = await Mqtt.ConnectAsync(broker, "clean-discards", configure: o => o.WithCleanStart(false).WithSessionExpiryInterval(60)))
        {
            await persistent.SubscribeAsync("clean/discards", MqttQualityOfServiceLevel.AtLeastOnce);
            await persistent.DisconnectAsync();
        }

        using var publisher = await Mqtt.ConnectAsync(broker, "clean-discards-pub");
        await publisher.PublishAsync(Mqtt.Message("clean/discards", "queued", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        using var clean = Mqtt.NewClient();
        var received = new MessageCollector(clean);

        var cleanAck = await clean.ConnectAsync(Mqtt.Options(broker, "clean-discards").Build());
        var queued = await received.NoneWithinAsync(TimeSpan.FromMilliseconds(500));

        Assert.False(cleanAck.IsSessionPresent);
        Assert.Null(queued);
        await clean.DisconnectAsync();
    }
}
