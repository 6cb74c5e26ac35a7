using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Limits;

/// <summary>Each way a message is discarded is counted in <c>robustmq_messages_dropped_total</c> with its reason.</summary>
[Trait("Topology", "SingleNode")]
public sealed class DropReasonMetricsTests(DropReasonBrokerFixture broker) : IClassFixture<DropReasonBrokerFixture>, IDisposable
{
    private readonly DropMetrics _metrics = new(broker);

    [Fact]
    public async Task Messages_beyond_a_full_offline_session_queue_are_counted_as_queue_full()
    {
        await OfflineSessionAsync("dr-full", "dr/full", qos: 1);
        var before = await _metrics.ReadAsync("queue_full");

        await PublishAsync("dr-full-pub", "dr/full", DropReasonBrokerFixture.MaxQueuedMessages + 2, MqttQualityOfServiceLevel.AtLeastOnce);

        await _metrics.WaitForAsync("queue_full", before + 2, $"after {DropReasonBrokerFixture.MaxQueuedMessages + 2} messages for an offline queue of {DropReasonBrokerFixture.MaxQueuedMessages}");
    }

    [Fact]
    public async Task Qos0_messages_for_an_offline_session_are_counted_as_qos0_offline()
    {
        await OfflineSessionAsync("dr-qos0", "dr/qos0", qos: 0);
        var before = await _metrics.ReadAsync("qos0_offline");

        await PublishAsync("dr-qos0-pub", "dr/qos0", 2, MqttQualityOfServiceLevel.AtLeastOnce);

        await _metrics.WaitForAsync("qos0_offline", before + 2, "after 2 QoS 0 deliveries to an offline session (Mqtt:QueueQoS0Messages off)");
    }

    [Fact]
    public async Task Messages_a_clean_session_owed_when_it_ended_are_counted_as_session_ended()
    {
        using var subscriber = await RawClient.OpenAsync(broker);
        await subscriber.ConnectAsync("dr-ended", receiveMaximum: 1);
        await subscriber.SendAsync(RawPackets.Subscribe(1, "dr/ended", RawPackets.V5, qos: 1));
        await subscriber.ExpectAsync(RawPacket.SubAck, "subscriber waits for SUBACK");
        await PublishAsync("dr-ended-pub", "dr/ended", 3, MqttQualityOfServiceLevel.AtLeastOnce);
        await subscriber.ExpectAsync(RawPacket.Publish, "subscriber waits for the first message (1 in flight, 2 queued)");
        var before = await _metrics.ReadAsync("session_ended");

        subscriber.Abort();

        await _metrics.WaitForAsync("session_ended", before + 3, "after a clean session ended owing 3 messages");
    }

    public void Dispose() => _metrics.Dispose();

    private async Task OfflineSessionAsync(string clientId, string filter, byte qos)
    {
        using var subscriber = await RawClient.OpenAsync(broker);
        await subscriber.ConnectAsync(clientId, sessionExpiry: 60);
        await subscriber.SendAsync(RawPackets.Subscribe(1, filter, RawPackets.V5, qos));
        await subscriber.ExpectAsync(RawPacket.SubAck, $"{clientId} waits for SUBACK");
        await subscriber.SendAsync(RawPackets.Disconnect(RawPackets.V5));
        await subscriber.ReadUntilClosedAsync($"{clientId} disconnects");
    }

    private async Task PublishAsync(string clientId, string topic, int count, MqttQualityOfServiceLevel qos)
    {
        using var publisher = await Mqtt.ConnectAsync(broker, clientId);
        for (var i = 0; i < count; i++)
        {
            await publisher.PublishAsync(Mqtt.Message(topic, $"m{i}", qos).Build());
        }
    }
}
