using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Limits;

public sealed class BackPressureTests(BackPressureBrokerFixture broker) : IClassFixture<BackPressureBrokerFixture>
{
    private const int Burst = 50;

    [Fact]
    public async Task A_publisher_faster_than_a_slow_subscriber_is_slowed_down_and_no_qos1_message_is_lost()
    {
        using var subscriber = await SubscribeAsync("bp-slow-sub", "bp/slow", receiveMaximum: 1);

        using var publisher = await RawClient.OpenAsync(broker);
        await publisher.ConnectAsync("bp-fast-pub", RawPackets.V5);
        const int total = Burst * 6;

        // Bursts of 50 unacknowledged QoS 1 messages into a queue of 10 that drains one message per round trip.
        var publishing = PublishInBurstsAsync(publisher, "bp/slow", total);
        var received = new List<string>(total);
        while (received.Count < total)
        {
            var publish = await subscriber.ExpectAsync(RawPacket.Publish, $"slow subscriber waits for message {received.Count + 1} of {total}");
            received.Add(publish.PayloadText(RawPackets.V5));
            await subscriber.SendAsync(RawPackets.PubAck(publish.PacketId));
        }

        await publishing;
        Assert.Equal(Enumerable.Range(0, total).Select(i => $"m{i}"), received);
    }

    [Fact]
    public async Task A_subscriber_that_stops_acknowledging_holds_publishers_back_only_for_the_back_pressure_timeout()
    {
        using var stalled = await SubscribeAsync("bp-stalled-sub", "bp/stalled", receiveMaximum: 1);
        using var healthy = await SubscribeAsync("bp-healthy-sub", "bp/stalled", receiveMaximum: null);

        using var publisher = await RawClient.OpenAsync(broker);
        await publisher.ConnectAsync("bp-stalled-pub", RawPackets.V5);
        var publishing = PublishInBurstsAsync(publisher, "bp/stalled", Burst * 2);
        var received = new List<string>();
        while (received.Count < Burst * 2)
        {
            var publish = await healthy.ExpectAsync(RawPacket.Publish, $"healthy subscriber waits for message {received.Count + 1} of {Burst * 2} while the other subscriber stalls");
            received.Add(publish.PayloadText(RawPackets.V5));
            await healthy.SendAsync(RawPackets.PubAck(publish.PacketId));
        }

        // Every message was acknowledged to the publisher: the stalled subscriber paused it once, for the timeout, not for good.
        await publishing;
        Assert.Equal(Enumerable.Range(0, Burst * 2).Select(i => $"m{i}"), received);
        var first = await stalled.ExpectAsync(RawPacket.Publish, "stalled subscriber got its first message");
        Assert.Equal("m0", first.PayloadText(RawPackets.V5));
    }

    /// <summary>A raw MQTT 5 client subscribed at QoS 1.</summary>
    private async Task<RawClient> SubscribeAsync(string clientId, string filter, ushort? receiveMaximum)
    {
        var client = await RawClient.OpenAsync(broker);
        await client.ConnectAsync(clientId, RawPackets.V5, receiveMaximum: receiveMaximum);
        await client.SendAsync(RawPackets.Subscribe(1, filter, RawPackets.V5, qos: 1));
        await client.ExpectAsync(RawPacket.SubAck, $"{clientId} waits for SUBACK");
        return client;
    }

    /// <summary>Sends bursts of QoS 1 PUBLISH and waits for each burst's PUBACKs (success) before the next.</summary>
    private static async Task PublishInBurstsAsync(RawClient publisher, string topic, int total)
    {
        for (var start = 0; start < total; start += Burst)
        {
            var burst = new List<byte>();
            for (var i = start; i < start + Burst; i++)
            {
                burst.AddRange(RawPackets.Publish(topic, $"m{i}", RawPackets.V5, qos: 1, packetId: (ushort)(i + 1)));
            }

            await publisher.SendAsync([.. burst]);
            for (var i = start; i < start + Burst; i++)
            {
                var ack = await publisher.ExpectAsync(RawPacket.PubAck, $"publisher waits for PUBACK {i + 1} of {total}", TimeSpan.FromSeconds(30));
                // A v5 PUBACK may leave out reason code 0 (MQTT 3.4.2.1).
                var reason = ack.Body.Length > 2 ? ack.Body[2] : 0;
                Assert.Equal(((ushort)(i + 1), 0), (ack.PacketId, reason));
            }
        }
    }
}
