using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.SubPub;

public sealed class MessageExpiryTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Message_expiry_interval_is_forwarded_to_a_live_subscriber()
    {
        using var subscriber = await Mqtt.ConnectAsync(broker, "expiry-live-sub");
        var received = new MessageCollector(subscriber);
        await subscriber.SubscribeAsync("expiry/live", MqttQualityOfServiceLevel.AtLeastOnce);
        using var publisher = await Mqtt.ConnectAsync(broker, "expiry-live-pub");

        await publisher.PublishAsync(Mqtt.Message("expiry/live", "fresh", MqttQualityOfServiceLevel.AtLeastOnce).WithMessageExpiryInterval(60).Build());

        var message = await received.NextAsync("live subscriber waits for the message");
        Assert.InRange(message.MessageExpiryInterval, 59u, 60u);
    }

    [Fact]
    public async Task Message_expiry_interval_is_decremented_by_the_time_spent_queued()
    {
        await using var offline = await OfflineSubscriberAsync("expiry-queued-sub", "expiry/queued");
        using var publisher = await Mqtt.ConnectAsync(broker, "expiry-queued-pub");
        await publisher.PublishAsync(Mqtt.Message("expiry/queued", "aged", MqttQualityOfServiceLevel.AtLeastOnce).WithMessageExpiryInterval(60).Build());

        // The message has to wait in the queue for the interval to go down: this wait is the behaviour under test.
        await Task.Delay(TimeSpan.FromMilliseconds(1500));
        var received = await offline.ReconnectAsync();

        var message = await received.NextAsync("reconnected subscriber waits for the queued message");
        Assert.Equal("aged", message.ConvertPayloadToString());
        Assert.InRange(message.MessageExpiryInterval, 50u, 59u);
    }

    [Fact]
    public async Task Expired_queued_message_is_not_delivered()
    {
        await using var offline = await OfflineSubscriberAsync("expiry-expired-sub", "expiry/expired");
        using var publisher = await Mqtt.ConnectAsync(broker, "expiry-expired-pub");
        await publisher.PublishAsync(Mqtt.Message("expiry/expired", "stale", MqttQualityOfServiceLevel.AtLeastOnce).WithMessageExpiryInterval(1).Build());
        await publisher.PublishAsync(Mqtt.Message("expiry/expired", "marker", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        // Let the one-second expiry pass while the message is queued: this wait is the behaviour under test.
        await Task.Delay(TimeSpan.FromMilliseconds(1500));
        var received = await offline.ReconnectAsync();

        var message = await received.NextAsync("reconnected subscriber waits for the first queued message");
        Assert.Equal("marker", message.ConvertPayloadToString());
    }

    private async Task<OfflineSubscriber> OfflineSubscriberAsync(string clientId, string topic)
    {
        using var client = await Mqtt.ConnectAsync(broker, clientId, configure: o => o.WithCleanStart(false).WithSessionExpiryInterval(60));
        await client.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await client.DisconnectAsync();
        return new OfflineSubscriber(broker, clientId);
    }

    private sealed class OfflineSubscriber(BrokerFixture broker, string clientId) : IAsyncDisposable
    {
        private readonly IMqttClient _client = Mqtt.NewClient();

        public async Task<MessageCollector> ReconnectAsync()
        {
            var received = new MessageCollector(_client);
            var result = await _client.ConnectAsync(Mqtt.Options(broker, clientId).WithCleanStart(false).WithSessionExpiryInterval(60).Build());
            Assert.True(result.IsSessionPresent, $"{clientId}: the session should still be there");
            return received;
        }

        public async ValueTask DisposeAsync()
        {
            if (_client.IsConnected)
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithSessionExpiryInterval(0).Build());
            }

            _client.Dispose();
        }
    }
}
