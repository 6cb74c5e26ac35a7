using System.Text;
using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Grains.Sessions;
using RobustMq.Integration.Tests.Infrastructure;
using RobustMq.Storage;
using RobustMq.Storage.RocksDb;

namespace RobustMq.Integration.Tests.Durability;

/// <summary>
/// Issue 10's promise for a persistent subscriber that is online but has not acknowledged: a QoS 1/2 message its
/// publisher got PUBACK/PUBCOMP for survives <c>kill -9</c> of the broker. Real broker processes, a raw-socket
/// subscriber that decides exactly when to acknowledge, MQTTnet publishers.
/// </summary>
[Trait("Topology", "SingleNode")]
public sealed class InflightDurabilityTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(3);

    [Theory]
    [InlineData("RocksDb")]
    [InlineData("Segment")]
    public async Task QoS1_messages_owed_to_an_online_subscriber_that_does_not_acknowledge_survive_a_kill_in_the_middle_of_the_stream(string backend)
    {
        const int Planned = 4_000;
        const int KillAfter = 1_000;
        var data = Directory.CreateTempSubdirectory("robustmq-inflight-").FullName;
        var clientId = $"inflight-q1-{backend}";
        var topic = $"inflight/q1/{backend}";
        var acked = new HashSet<string>();
        var beforeCrash = new Dictionary<string, ushort>();
        try
        {
            await using (var first = await StartAsync(backend, data))
            {
                using var subscriber = await PersistentSubscriberAsync(first, clientId, topic, qos: 1, receiveMaximum: 10);

                using var publisher = await Mqtt.ConnectAsync(first, $"{clientId}-pub");
                using var stop = new CancellationTokenSource();
                var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var workers = Enumerable.Range(0, 4).Select(w => PublishStreamAsync(publisher, topic, w, 4, Planned, acked, KillAfter, killed)).ToArray();

                // The subscriber takes its window of 10 and acknowledges nothing.
                for (var i = 0; i < 10; i++)
                {
                    var publish = await subscriber.ExpectAsync(RawPacket.Publish, $"in-flight PUBLISH {i}");
                    beforeCrash[publish.PayloadText(RawPackets.V5)] = publish.PacketId;
                }

                await killed.Task.WaitAsync(TimeSpan.FromSeconds(60));
                first.Kill();
                await Task.WhenAll(workers);
            }

            int ackedAtKill;
            lock (acked)
            {
                ackedAtKill = acked.Count;
            }

            Assert.True(ackedAtKill is >= KillAfter and < Planned, $"the kill landed in the middle of the stream ({ackedAtKill} of {Planned} acknowledged)");

            await using var second = await StartAsync(backend, data);

            // Published after the restart and before the subscriber returns: its restored subscription queues them.
            using (var publisher = await Mqtt.ConnectAsync(second, $"{clientId}-pub2"))
            {
                for (var i = 0; i < 100; i++)
                {
                    var result = await publisher.PublishAsync(Mqtt.Message(topic, $"after-{i}", MqttQualityOfServiceLevel.AtLeastOnce).Build());
                    Assert.Equal(MqttClientPublishReasonCode.Success, result.ReasonCode);
                    acked.Add($"after-{i}");
                }
            }

            using var again = await RawClient.OpenAsync(second.MqttPort);
            var connAck = await again.ConnectAsync(clientId, cleanStart: false, sessionExpiry: 3600, receiveMaximum: 200);
            Assert.True(connAck.SessionPresent, "the session is present after the restart");

            // Until the broker has been quiet for a while: anything delivered twice shows up too.
            var received = new Dictionary<string, int>();
            while (await ReadUntilQuietAsync(again, "redelivery after the restart") is { } packet)
            {
                Assert.Equal(RawPacket.Publish, packet.Type);
                var payload = packet.PayloadText(RawPackets.V5);
                received[payload] = received.GetValueOrDefault(payload) + 1;
                await again.SendAsync(RawPackets.PubAck(packet.PacketId));
            }

            var lost = acked.Where(p => !received.ContainsKey(p)).Order().ToList();
            Assert.True(lost.Count == 0, $"{lost.Count} of {acked.Count} acknowledged messages lost (e.g. {string.Join(", ", lost.Take(10))}); the 10 in flight at the kill: {string.Join(", ", beforeCrash.Keys)}");
            var twice = received.Where(r => r.Value > 1).Select(r => r.Key).ToList();
            Assert.True(twice.Count == 0, $"delivered more than once after the restart: {string.Join(", ", twice.Take(10))}");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Theory]
    [InlineData("RocksDb")]
    [InlineData("Segment")]
    public async Task QoS2_messages_owed_to_an_online_subscriber_are_delivered_exactly_once_across_a_kill(string backend)
    {
        const int Messages = 200;
        var data = Directory.CreateTempSubdirectory("robustmq-inflight2-").FullName;
        var clientId = $"inflight-q2-{backend}";
        var topic = $"inflight/q2/{backend}";

        // The subscriber as a QoS 2 receiver that delivers on PUBLISH (MQTT 4.3.3, method B): the ids it awaits PUBREL
        // for, with the payload it delivered under each.
        var awaitingRelease = new Dictionary<ushort, string>();
        var delivered = new List<string>();
        var releasedBeforeCrash = new HashSet<ushort>();
        try
        {
            await using (var first = await StartAsync(backend, data))
            {
                using var subscriber = await PersistentSubscriberAsync(first, clientId, topic, qos: 2, receiveMaximum: 20);

                using var publisher = await Mqtt.ConnectAsync(first, $"{clientId}-pub");
                for (var i = 0; i < Messages; i++)
                {
                    var result = await publisher.PublishAsync(Mqtt.Message(topic, $"m-{i}", MqttQualityOfServiceLevel.ExactlyOnce).Build());
                    Assert.Equal(MqttClientPublishReasonCode.Success, result.ReasonCode);
                }

                // Its window of 20 arrives; PUBREC for the first 10 (each gets its PUBREL), nothing more.
                var window = new List<RawPacket>();
                for (var i = 0; i < 20; i++)
                {
                    var publish = await subscriber.ExpectAsync(RawPacket.Publish, $"in-flight PUBLISH {i}");
                    Assert.Equal(2, publish.QoS);
                    awaitingRelease.Add(publish.PacketId, publish.PayloadText(RawPackets.V5));
                    delivered.Add(publish.PayloadText(RawPackets.V5));
                    window.Add(publish);
                }

                foreach (var publish in window.Take(10))
                {
                    await subscriber.SendAsync(RawPackets.PubRec(publish.PacketId));
                    releasedBeforeCrash.Add(publish.PacketId);
                }

                for (var i = 0; i < 10; i++)
                {
                    var release = await subscriber.ExpectAsync(RawPacket.PubRel, $"PUBREL {i} before the kill");
                    Assert.Contains(release.PacketId, releasedBeforeCrash);
                }

                first.Kill();
            }

            await using var second = await StartAsync(backend, data);
            using var again = await RawClient.OpenAsync(second.MqttPort);
            var connAck = await again.ConnectAsync(clientId, cleanStart: false, sessionExpiry: 3600, receiveMaximum: 50);
            Assert.True(connAck.SessionPresent, "the session is present after the restart");

            var releasedAfter = new HashSet<ushort>();
            while (await ReadUntilQuietAsync(again, "QoS 2 flows after the restart") is { } packet)
            {
                Handle(packet);
            }

            Assert.True(releasedBeforeCrash.SetEquals(releasedAfter.Intersect(releasedBeforeCrash)), "PUBREL is resent for each message released before the kill");
            var twice = delivered.GroupBy(p => p).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(twice.Count == 0, $"delivered twice: {string.Join(", ", twice.Take(10))}");
            var lost = Enumerable.Range(0, Messages).Select(i => $"m-{i}").Except(delivered).ToList();
            Assert.True(lost.Count == 0, $"{lost.Count} of {Messages} acknowledged QoS 2 messages lost (e.g. {string.Join(", ", lost.Take(10))})");
            Assert.True(awaitingRelease.Count == 0, $"{awaitingRelease.Count} ids never released");

            void Handle(RawPacket packet)
            {
                switch (packet.Type)
                {
                    case RawPacket.Publish:
                        var payload = packet.PayloadText(RawPackets.V5);
                        // MQTT-4.3.3: a PUBLISH is never resent once its PUBREL was sent.
                        Assert.False(releasedBeforeCrash.Contains(packet.PacketId) && !releasedAfter.Contains(packet.PacketId),
                            $"PUBLISH resent for id {packet.PacketId}, whose PUBREL was sent before the kill");
                        if (awaitingRelease.TryGetValue(packet.PacketId, out var known))
                        {
                            // A resend with DUP: the same message under the same id, acknowledged, not delivered again.
                            Assert.True(packet.Dup, $"a PUBLISH under id {packet.PacketId}, still awaiting PUBREL, without DUP");
                            Assert.Equal(known, payload);
                        }
                        else
                        {
                            awaitingRelease.Add(packet.PacketId, payload);
                            delivered.Add(payload);
                        }

                        again.SendAsync(RawPackets.PubRec(packet.PacketId)).GetAwaiter().GetResult();
                        break;
                    case RawPacket.PubRel:
                        Assert.True(awaitingRelease.Remove(packet.PacketId), $"PUBREL for id {packet.PacketId}, which awaits none");
                        releasedAfter.Add(packet.PacketId);
                        again.SendAsync(RawPackets.PubComp(packet.PacketId)).GetAwaiter().GetResult();
                        break;
                    default:
                        Assert.Fail($"unexpected {packet}");
                        break;
                }
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Theory]
    [InlineData("RocksDb")]
    [InlineData("Segment")]
    public async Task A_persistent_publishers_QoS2_resend_after_a_kill_is_not_delivered_again_and_a_released_id_carries_a_new_message(string backend)
    {
        var data = Directory.CreateTempSubdirectory("robustmq-inbound2-").FullName;
        var clientId = $"inbound-q2-{backend}";
        var topic = $"inbound/q2/{backend}";
        try
        {
            await using (var first = await StartAsync(backend, data))
            {
                using var publisher = await RawClient.OpenAsync(first.MqttPort);
                await publisher.ConnectAsync(clientId, cleanStart: false, sessionExpiry: 3600);

                // Id 7: PUBREC received, PUBREL never sent. Id 8: the whole flow, so the id is free again.
                await publisher.SendAsync(RawPackets.Publish(topic, "first", RawPackets.V5, qos: 2, packetId: 7));
                Assert.Equal(7, (await publisher.ExpectAsync(RawPacket.PubRec, "PUBREC 7")).PacketId);
                await publisher.SendAsync(RawPackets.Publish(topic, "second", RawPackets.V5, qos: 2, packetId: 8));
                Assert.Equal(8, (await publisher.ExpectAsync(RawPacket.PubRec, "PUBREC 8")).PacketId);
                await publisher.SendAsync(RawPackets.PubRel(8));
                Assert.Equal(8, (await publisher.ExpectAsync(RawPacket.PubComp, "PUBCOMP 8")).PacketId);
                first.Kill();
            }

            await using var second = await StartAsync(backend, data);
            using var observer = await ObserverAsync(second, $"{clientId}-observer", topic);

            using var again = await RawClient.OpenAsync(second.MqttPort);
            var connAck = await again.ConnectAsync(clientId, cleanStart: false, sessionExpiry: 3600);
            Assert.True(connAck.SessionPresent, "the publisher's session is present after the restart");

            // MQTT 4.3.3: the client saw PUBREC 7, so its resend (DUP) is the same message: acknowledged, not routed again.
            await again.SendAsync(RawPackets.Publish((byte)0x3C, System.Text.Encoding.UTF8.GetBytes(topic), "first", RawPackets.V5, packetId: 7));
            Assert.Equal(7, (await again.ExpectAsync(RawPacket.PubRec, "PUBREC 7 after the restart")).PacketId);
            await again.SendAsync(RawPackets.PubRel(7));
            var pubComp = await again.ExpectAsync(RawPacket.PubComp, "PUBCOMP 7 after the restart");
            Assert.Equal(7, pubComp.PacketId);
            var reason = pubComp.Body.Length > 2 ? pubComp.Body[2] : (byte)0x00;
            Assert.True(reason == 0x00, $"id 7 was known after the restart (PUBCOMP reason 0x{reason:X2}, 0x92: not found)");

            // Id 8 was released before the kill: a new message under it is delivered.
            await again.SendAsync(RawPackets.Publish(topic, "third", RawPackets.V5, qos: 2, packetId: 8));
            Assert.Equal(8, (await again.ExpectAsync(RawPacket.PubRec, "PUBREC 8 after the restart")).PacketId);
            await again.SendAsync(RawPackets.PubRel(8));
            await again.ExpectAsync(RawPacket.PubComp, "PUBCOMP 8 after the restart");

            Assert.Equal(["third"], await PayloadsUntilQuietAsync(observer));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task A_takeover_keeps_the_QoS2_ids_the_old_connection_sent_PUBREC_for()
    {
        var data = Directory.CreateTempSubdirectory("robustmq-inbound2-takeover-").FullName;
        const string ClientId = "inbound-q2-takeover";
        const string Topic = "inbound/q2/takeover";
        try
        {
            await using var broker = await StartAsync("RocksDb", data);
            using var observer = await ObserverAsync(broker, $"{ClientId}-observer", Topic);

            using var old = await RawClient.OpenAsync(broker.MqttPort);
            await old.ConnectAsync(ClientId, cleanStart: false, sessionExpiry: 3600);
            await old.SendAsync(RawPackets.Publish(Topic, "once", RawPackets.V5, qos: 2, packetId: 9));
            await old.ExpectAsync(RawPacket.PubRec, "PUBREC 9 on the old connection");

            // The client lost its connection without seeing it closed, and comes back on a new one (MQTT-3.1.4-3).
            using var taking = await RawClient.OpenAsync(broker.MqttPort);
            var connAck = await taking.ConnectAsync(ClientId, cleanStart: false, sessionExpiry: 3600);
            Assert.True(connAck.SessionPresent);
            await taking.SendAsync(RawPackets.Publish((byte)0x3C, System.Text.Encoding.UTF8.GetBytes(Topic), "once", RawPackets.V5, packetId: 9));
            await taking.ExpectAsync(RawPacket.PubRec, "PUBREC 9 for the resend");
            await taking.SendAsync(RawPackets.PubRel(9));
            var pubComp = await taking.ExpectAsync(RawPacket.PubComp, "PUBCOMP 9");
            var reason = pubComp.Body.Length > 2 ? pubComp.Body[2] : (byte)0x00;
            Assert.True(reason == 0x00, $"id 9 was known to the new connection (PUBCOMP reason 0x{reason:X2})");

            Assert.Equal(["once"], await PayloadsUntilQuietAsync(observer));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task A_session_ended_by_a_clean_start_takes_its_stored_QoS2_ids_along()
    {
        var data = Directory.CreateTempSubdirectory("robustmq-inbound2-end-").FullName;
        const string ClientId = "inbound-q2-end";
        const string Topic = "inbound/q2/end";
        try
        {
            await using (var first = await StartAsync("RocksDb", data))
            {
                using (var publisher = await RawClient.OpenAsync(first.MqttPort))
                {
                    await publisher.ConnectAsync(ClientId, cleanStart: false, sessionExpiry: 3600);
                    await publisher.SendAsync(RawPackets.Publish(Topic, "old", RawPackets.V5, qos: 2, packetId: 7));
                    await publisher.ExpectAsync(RawPacket.PubRec, "PUBREC 7");
                }

                // MQTT-3.1.2-4: a clean start ends that session, the id it awaited PUBREL for included.
                using var fresh = await RawClient.OpenAsync(first.MqttPort);
                var connAck = await fresh.ConnectAsync(ClientId, cleanStart: true, sessionExpiry: 3600);
                Assert.False(connAck.SessionPresent);
                first.Kill();
            }

            await using var second = await StartAsync("RocksDb", data);
            using var observer = await ObserverAsync(second, $"{ClientId}-observer", Topic);

            using var again = await RawClient.OpenAsync(second.MqttPort);
            await again.ConnectAsync(ClientId, cleanStart: false, sessionExpiry: 3600);
            await again.SendAsync(RawPackets.Publish(Topic, "new", RawPackets.V5, qos: 2, packetId: 7));
            await again.ExpectAsync(RawPacket.PubRec, "PUBREC 7 of the new message");

            Assert.Equal(["new"], await PayloadsUntilQuietAsync(observer));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Subscriptions_a_connection_changed_are_as_it_left_them_after_restarts_and_a_clean_start_ends_them()
    {
        var data = Directory.CreateTempSubdirectory("robustmq-subs-").FullName;
        const string ClientId = "subs-restart";
        try
        {
            await using (var first = await StartAsync("RocksDb", data))
            {
                using var client = await RawClient.OpenAsync(first.MqttPort);
                await client.ConnectAsync(ClientId, cleanStart: false, sessionExpiry: 3600);
                await client.SendAsync(RawPackets.Subscribe(1, "subs/kept", RawPackets.V5, qos: 1));
                await client.ExpectAsync(RawPacket.SubAck, "SUBACK kept");
                await client.SendAsync(RawPackets.Subscribe(2, "subs/dropped", RawPackets.V5, qos: 1));
                await client.ExpectAsync(RawPacket.SubAck, "SUBACK dropped");
                await client.SendAsync(RawPackets.Unsubscribe(3, "subs/dropped", RawPackets.V5));
                await client.ExpectAsync(RawPacket.UnsubAck, "UNSUBACK dropped");
                first.Kill();
            }

            await using (var second = await StartAsync("RocksDb", data))
            {
                using var publisher = await Mqtt.ConnectAsync(second, $"{ClientId}-pub");
                Assert.Equal(MqttClientPublishReasonCode.Success, (await publisher.PublishAsync(Mqtt.Message("subs/kept", "k", MqttQualityOfServiceLevel.AtLeastOnce).Build())).ReasonCode);
                Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, (await publisher.PublishAsync(Mqtt.Message("subs/dropped", "d", MqttQualityOfServiceLevel.AtLeastOnce).Build())).ReasonCode);

                // MQTT-3.1.2-4: a clean start ends the stored session, its subscriptions with it.
                using var clean = await RawClient.OpenAsync(second.MqttPort);
                var connAck = await clean.ConnectAsync(ClientId, cleanStart: true, sessionExpiry: 3600);
                Assert.True(connAck.SessionPresent is false);
                second.Kill();
            }

            await using var third = await StartAsync("RocksDb", data);
            using var last = await Mqtt.ConnectAsync(third, $"{ClientId}-pub2");
            Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, (await last.PublishAsync(Mqtt.Message("subs/kept", "k2", MqttQualityOfServiceLevel.AtLeastOnce).Build())).ReasonCode);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Subscription_and_QoS2_id_records_left_without_their_session_are_deleted_at_start_up()
    {
        var data = Directory.CreateTempSubdirectory("robustmq-leftovers-").FullName;
        const string ClientId = "leftover";
        const string Prefix = "00008:leftover/";
        try
        {
            await using (var first = await StartAsync("RocksDb", data))
            {
                using var client = await RawClient.OpenAsync(first.MqttPort);
                await client.ConnectAsync(ClientId, cleanStart: false, sessionExpiry: 3600);
                await client.SendAsync(RawPackets.Subscribe(1, "leftover/x", RawPackets.V5, qos: 1));
                await client.ExpectAsync(RawPacket.SubAck, "SUBACK");
                await client.SendAsync(RawPackets.Publish("leftover/y", "q2", RawPackets.V5, qos: 2, packetId: 5));
                await client.ExpectAsync(RawPacket.PubRec, "PUBREC 5");
                first.Kill();
            }

            // The session record goes, its other records stay: what a session end whose write failed part-way leaves.
            await using (var store = OpenStore(data))
            {
                Assert.Equal(1, await CountAsync(store, SessionSubscriptions.Space, Prefix));
                Assert.Equal(1, await CountAsync(store, SessionQueue.InboundSpace, Prefix));
                await store.WriteAsync(new StorageBatch().Delete(SessionGrain.SessionSpace, ClientId));
            }

            await using (var second = await StartAsync("RocksDb", data))
            {
                second.Kill();
            }

            await using (var store = OpenStore(data))
            {
                Assert.Equal(0, await CountAsync(store, SessionSubscriptions.Space, Prefix));
                Assert.Equal(0, await CountAsync(store, SessionQueue.InboundSpace, Prefix));
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }

        static RocksDbStorageEngine OpenStore(string data) => new(new RocksDbStorageOptions(Path.Combine(data, "rocksdb"), StorageSync.Always));

        static async Task<int> CountAsync(IStorageEngine store, string space, string prefix)
        {
            var count = 0;
            await foreach (var _ in store.ScanAsync(space, prefix))
            {
                count++;
            }

            return count;
        }
    }

    [Fact]
    public async Task A_client_that_returns_with_a_clean_session_after_a_restart_ends_its_stored_session()
    {
        var data = Directory.CreateTempSubdirectory("robustmq-clean-return-").FullName;
        try
        {
            await using (var first = await StartAsync("RocksDb", data))
            {
                using var subscriber = await PersistentSubscriberAsync(first, "clean-return", "clean/return", qos: 1, receiveMaximum: 10);
                first.Kill();
            }

            await using var second = await StartAsync("RocksDb", data);
            using var clean = await RawClient.OpenAsync(second.MqttPort);
            var connAck = await clean.ConnectAsync("clean-return", cleanStart: true);
            Assert.False(connAck.SessionPresent, "a clean start discards the stored session (MQTT-3.1.2-4)");

            // The stored session's subscription ended with it: nothing of it reaches the new, clean session.
            using var publisher = await Mqtt.ConnectAsync(second, "clean-return-pub");
            var result = await publisher.PublishAsync(Mqtt.Message("clean/return", "not yours", MqttQualityOfServiceLevel.AtLeastOnce).Build());
            Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, result.ReasonCode);
            Assert.Null(await ReadUntilQuietAsync(clean, "nothing for the clean session"));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>
    /// Publishes messages <paramref name="worker"/>, +<paramref name="stride"/>, ... below <paramref name="planned"/>
    /// at QoS 1, recording each one acknowledged; sets <paramref name="killNow"/> once <paramref name="killAfter"/> are.
    /// Ends quietly when the broker dies under it.
    /// </summary>
    private static async Task PublishStreamAsync(IMqttClient publisher, string topic, int worker, int stride, int planned, HashSet<string> acked, int killAfter, TaskCompletionSource killNow)
    {
        for (var i = worker; i < planned; i += stride)
        {
            var payload = $"m-{i}";
            try
            {
                var result = await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(Encoding.UTF8.GetBytes(payload))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
                if (result.ReasonCode != MqttClientPublishReasonCode.Success)
                {
                    continue;
                }
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException or ObjectDisposedException)
            {
                return;
            }

            lock (acked)
            {
                acked.Add(payload);
                if (acked.Count >= killAfter)
                {
                    killNow.TrySetResult();
                }
            }
        }
    }

    /// <summary>A raw MQTT 5 client with a persistent session (expiry 1 h) subscribed to <paramref name="topic"/>.</summary>
    private static async Task<RawClient> PersistentSubscriberAsync(BrokerExecutable broker, string clientId, string topic, byte qos, ushort receiveMaximum)
    {
        var subscriber = await RawClient.OpenAsync(broker.MqttPort);
        await subscriber.ConnectAsync(clientId, cleanStart: false, sessionExpiry: 3600, receiveMaximum: receiveMaximum);
        await subscriber.SendAsync(RawPackets.Subscribe(1, topic, RawPackets.V5, qos: qos));
        await subscriber.ExpectAsync(RawPacket.SubAck, $"{clientId} waits for SUBACK");
        return subscriber;
    }

    /// <summary>A raw MQTT 5 client with a clean session subscribed to <paramref name="topic"/> at QoS 0, to see what is routed.</summary>
    private static async Task<RawClient> ObserverAsync(BrokerExecutable broker, string clientId, string topic)
    {
        var observer = await RawClient.OpenAsync(broker.MqttPort);
        await observer.ConnectAsync(clientId);
        await observer.SendAsync(RawPackets.Subscribe(1, topic, RawPackets.V5));
        await observer.ExpectAsync(RawPacket.SubAck, $"{clientId} waits for SUBACK");
        return observer;
    }

    /// <summary>The payloads of the PUBLISHes <paramref name="observer"/> gets until the broker is quiet.</summary>
    private static async Task<List<string>> PayloadsUntilQuietAsync(RawClient observer)
    {
        var seen = new List<string>();
        while (await ReadUntilQuietAsync(observer, "what the observer gets") is { } packet)
        {
            Assert.Equal(RawPacket.Publish, packet.Type);
            seen.Add(packet.PayloadText(RawPackets.V5));
        }

        return seen;
    }

    /// <summary>The next packet; null once the broker has sent nothing for <see cref="Quiet"/> (the test reads no more then).</summary>
    private static async Task<RawPacket?> ReadUntilQuietAsync(RawClient client, string phase)
    {
        try
        {
            return await client.ReadAsync(phase, Quiet) ?? throw new InvalidOperationException($"{phase}: the broker closed the connection");
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private static async Task<BrokerExecutable> StartAsync(string backend, string data)
    {
        // Room for every message in the session's queue (the drop policy past Mqtt:MaxQueuedMessages is tested elsewhere).
        var broker = BrokerExecutable.Start([$"--Storage:Path={data}", $"--Storage:Default={backend}", "--Sys:IntervalSeconds=0", "--Mqtt:MaxQueuedMessages=10000"]);
        await broker.WaitStartedAsync($"{backend} broker start-up");
        return broker;
    }
}
