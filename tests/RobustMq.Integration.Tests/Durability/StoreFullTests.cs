using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;
using RobustMq.Tests.Shared;

namespace RobustMq.Integration.Tests.Durability;

/// <summary>
/// A store that fills up (a small tmpfs as <c>Storage:Path</c>, RocksDB) refuses what it cannot keep instead of
/// acknowledging it: an MQTT 3.1.1 retained QoS 1 publish is answered by a close without a PUBACK, an MQTT 5 one by
/// PUBACK 0x97 Quota exceeded; the broker stays up, what was stored before is intact, and publishes are accepted again once
/// space frees. Needs root to mount the tmpfs (CI runs as root).
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class StoreFullTests
{
    private const int Payload = 256 * 1024;

    [Fact]
    public async Task A_full_store_refuses_retained_publishes_keeps_what_it_had_and_recovers_when_space_frees()
    {
        using var disk = TmpfsMount.TryCreate(megabytes: 32);
        var (filler, broker) = await StartOnSmallDiskAsync(disk);
        await using var _ = broker;

        // MQTT 3.1.1 has no failure acknowledgement: once the store is full, the publish is answered by a close.
        var acceptedV3 = 0;
        var closedWithoutPubAck = false;
        using (var raw = await RawStreamClient.OpenTcpAsync(broker.MqttPort))
        {
            await raw.ConnectAsync("full-v3", RawPackets.V311);
            for (ushort id = 1; id <= 200 && !closedWithoutPubAck; id++)
            {
                await raw.SendAsync(RawPackets.Publish(0x33, System.Text.Encoding.UTF8.GetBytes($"full/{id}"), Convert.ToHexString(Incompressible())[..Payload], RawPackets.V311, packetId: id));
                var answer = await raw.ReadAsync($"3.1.1 publish {id} to a filling store", TimeSpan.FromSeconds(10));
                if (answer is null)
                {
                    closedWithoutPubAck = true;
                }
                else
                {
                    Assert.True(answer.Type == RawPacket.PubAck, $"expected PUBACK or a close, got {answer}");
                    acceptedV3++;
                }
            }
        }

        Assert.True(closedWithoutPubAck, $"the 3.1.1 publisher was never refused ({acceptedV3} accepted)\n{broker.Log}");
        Assert.InRange(acceptedV3, 1, 199);

        // MQTT 5: PUBACK 0x97 Quota exceeded, and the client stays connected.
        using var publisher = await Mqtt.ConnectAsync(broker, "full-pub");
        var refused = MqttClientPublishReasonCode.Success;
        for (var i = 0; i < 200 && refused is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers; i++)
        {
            refused = (await publisher.PublishAsync(Retained($"full/v5/{i}"))).ReasonCode;
        }

        Assert.True(refused == MqttClientPublishReasonCode.QuotaExceeded, $"expected PUBACK 0x97 from the full store, got {refused}\n{broker.Log}");
        Assert.True(publisher.IsConnected, "the MQTT 5 publisher stays connected after a refused publish");

        // Space frees: publishes are accepted again, and what was stored before is there.
        File.Delete(filler);
        await AcceptedWithinAsync(publisher, TimeSpan.FromSeconds(15), broker);
        using var subscriber = await Mqtt.ConnectAsync(broker, "full-sub");
        var first = new TaskCompletionSource<MqttApplicationMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            first.TrySetResult(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        await subscriber.SubscribeAsync("full/1", MqttQualityOfServiceLevel.AtLeastOnce);
        var kept = await first.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Payload, kept.Payload.Length);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_full_store_refuses_publishes_a_persistent_subscriber_would_need_and_recovers(bool subscriberOnline)
    {
        using var disk = TmpfsMount.TryCreate(megabytes: 32);
        var (filler, broker) = await StartOnSmallDiskAsync(disk);
        await using var _ = broker;

        // A persistent subscriber that never acknowledges (online), or that left (offline): every copy must be stored.
        var topic = subscriberOnline ? "full/online" : "full/offline";
        using var subscriber = await RawClient.OpenAsync(broker.MqttPort);
        await subscriber.ConnectAsync($"full-{topic.Replace('/', '-')}", cleanStart: false, sessionExpiry: 3600, receiveMaximum: 1);
        await subscriber.SendAsync(RawPackets.Subscribe(1, topic, RawPackets.V5, qos: 1));
        await subscriber.ExpectAsync(RawPacket.SubAck, "SUBACK");
        if (!subscriberOnline)
        {
            await subscriber.SendAsync(RawPackets.Disconnect(RawPackets.V5));
        }

        using var publisher = await Mqtt.ConnectAsync(broker, $"full-pub-{subscriberOnline}");
        var codes = new List<MqttClientPublishReasonCode>();
        for (var i = 0; i < 200 && (codes.Count == 0 || codes[^1] == MqttClientPublishReasonCode.Success); i++)
        {
            codes.Add((await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(Incompressible())
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build())).ReasonCode);
        }

        Assert.True(codes[^1] == MqttClientPublishReasonCode.QuotaExceeded, $"expected PUBACK 0x97 once the store is full, got [{string.Join(", ", codes)}]\n{broker.Log}");
        Assert.InRange(codes.Count, 2, 200);
        Assert.True(publisher.IsConnected, "the MQTT 5 publisher stays connected after a refused publish");

        File.Delete(filler);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        var last = codes[^1];
        while (last != MqttClientPublishReasonCode.Success && DateTime.UtcNow < deadline)
        {
            last = (await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload([1])
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build())).ReasonCode;
        }

        Assert.True(last == MqttClientPublishReasonCode.Success, $"no publish accepted within 15 s after space was freed (last {last})\n{broker.Log}");
    }

    [Fact]
    public async Task A_QoS2_delivery_whose_packet_id_cannot_be_stored_is_not_sent_and_arrives_once_when_space_frees()
    {
        using var disk = TmpfsMount.TryCreate(megabytes: 32);
        var (filler, broker) = await StartOnSmallDiskAsync(disk);
        await using var _ = broker;
        const string Topic = "full/qos2-id";
        const string ClientId = "full-qos2-id";

        // A persistent QoS 2 subscriber with a window of one: the first message takes it, the second waits, stored.
        var subscriber = await RawClient.OpenAsync(broker.MqttPort);
        await subscriber.ConnectAsync(ClientId, cleanStart: false, sessionExpiry: 3600, receiveMaximum: 1);
        await subscriber.SendAsync(RawPackets.Subscribe(1, Topic, RawPackets.V5, qos: 2));
        await subscriber.ExpectAsync(RawPacket.SubAck, "SUBACK");
        using var publisher = await Mqtt.ConnectAsync(broker, $"{ClientId}-pub");
        Assert.Equal(MqttClientPublishReasonCode.Success, (await publisher.PublishAsync(Mqtt.Message(Topic, "m-0", MqttQualityOfServiceLevel.AtLeastOnce).Build())).ReasonCode);
        var first = await subscriber.ExpectAsync(RawPacket.Publish, "m-0");
        var big = new MqttApplicationMessageBuilder().WithTopic(Topic).WithPayload(Incompressible()).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.ExactlyOnce).Build();
        Assert.Equal(MqttClientPublishReasonCode.Success, (await publisher.PublishAsync(big)).ReasonCode);

        // The store fills up (an offline persistent session's queue, until a publish for it is refused); then the window
        // opens, and m-1's packet id cannot be stored before it would go out.
        using (var offline = await RawClient.OpenAsync(broker.MqttPort))
        {
            await offline.ConnectAsync($"{ClientId}-offline", cleanStart: false, sessionExpiry: 3600);
            await offline.SendAsync(RawPackets.Subscribe(1, $"{Topic}/fill", RawPackets.V5, qos: 1));
            await offline.ExpectAsync(RawPacket.SubAck, "the filler's SUBACK");
            await offline.SendAsync(RawPackets.Disconnect(RawPackets.V5));
        }

        var refused = false;
        for (var i = 0; i < 400 && !refused; i++)
        {
            refused = (await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"{Topic}/fill").WithPayload(Incompressible())
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build())).ReasonCode == MqttClientPublishReasonCode.QuotaExceeded;
        }

        Assert.True(refused, "the store filled up");
        await subscriber.SendAsync(RawPackets.PubAck(first.PacketId));
        var sent = await subscriber.ReadUntilClosedAsync("the connection is cut off instead of sending m-1", TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(sent, p => p.Type == RawPacket.Publish);
        subscriber.Dispose();

        File.Delete(filler);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        var delivered = new List<string>();
        while (delivered.Count == 0 && DateTime.UtcNow < deadline)
        {
            using var again = await RawClient.OpenAsync(broker.MqttPort);
            // Refused (0x88) while the store is still reopening after the failure.
            await again.SendAsync(RawPackets.Connect(ClientId, cleanStart: false, sessionExpiry: 3600, receiveMaximum: 10));
            var connAck = await again.ExpectAsync(RawPacket.ConnAck, "CONNACK after space freed");
            if (connAck.ReasonCode != 0)
            {
                await Task.Delay(500);
                continue;
            }

            Assert.True(connAck.SessionPresent, "the session is present");
            while (await ReadQuietlyAsync(again) is { } packet)
            {
                switch (packet.Type)
                {
                    case RawPacket.Publish:
                        delivered.Add(packet.Body.Length > Payload ? "m-1" : packet.PayloadText(RawPackets.V5));
                        await again.SendAsync(packet.QoS == 2 ? RawPackets.PubRec(packet.PacketId) : RawPackets.PubAck(packet.PacketId));
                        break;
                    case RawPacket.PubRel:
                        await again.SendAsync(RawPackets.PubComp(packet.PacketId));
                        break;
                }
            }
        }

        // m-0 may come again (its record's delete failed on the full disk; QoS 1 allows it), m-1 exactly once.
        Assert.True(delivered.Count(p => p == "m-1") == 1, $"m-1 delivered {delivered.Count(p => p == "m-1")} times after space freed (all: [{string.Join(", ", delivered)}])\n{broker.Log}");

        static async Task<RawPacket?> ReadQuietlyAsync(RawClient client)
        {
            try
            {
                return await client.ReadAsync("after space freed", TimeSpan.FromSeconds(2));
            }
            catch (TimeoutException)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// A broker on RocksDB on <paramref name="disk"/>, half of which is a file (<c>Filler</c>) to delete when space
    /// should free: RocksDB needs room to recover (its log is flushed to a table on reopen).
    /// </summary>
    private static async Task<(string Filler, BrokerExecutable Broker)> StartOnSmallDiskAsync(TmpfsMount? disk)
    {
        Assert.True(disk is not null, "mounting a tmpfs needs root on Linux (CI runs the tests as root)");
        var filler = Path.Combine(disk.Path, "filler");
        await File.WriteAllBytesAsync(filler, new byte[16 * 1024 * 1024]);
        var broker = BrokerExecutable.Start([$"--Storage:Path={disk.Path}", "--Storage:Default=RocksDb", "--Sys:IntervalSeconds=0", $"--Mqtt:MaxPacketSize={2 * Payload}"]);
        await broker.WaitStartedAsync("broker start-up on a small tmpfs");
        return (filler, broker);
    }

    /// <summary>Random bytes: RocksDB compresses what it flushes, and zeros would take no room at all.</summary>
    private static byte[] Incompressible()
    {
        var bytes = new byte[Payload];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    private static MqttApplicationMessage Retained(string topic) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(Incompressible()).WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    private static async Task AcceptedWithinAsync(IMqttClient publisher, TimeSpan limit, BrokerExecutable broker)
    {
        var deadline = DateTime.UtcNow + limit;
        var last = MqttClientPublishReasonCode.UnspecifiedError;
        while (DateTime.UtcNow < deadline)
        {
            // Each attempt is an acknowledged round trip; RocksDB is reopened at most once a second after a failure.
            last = (await publisher.PublishAsync(Retained("full/again"))).ReasonCode;
            if (last is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers)
            {
                return;
            }
        }

        Assert.Fail($"no publish accepted within {limit.TotalSeconds} s after space was freed (last reason {last})\n{broker.Log}");
    }
}
