using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Session;

public sealed class SessionTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Persistent_session_keeps_subscriptions_and_queues_qos1_and_qos2_messages_while_offline()
    {
        await LeaveSessionAsync("session-queue", "session/queue", MqttQualityOfServiceLevel.ExactlyOnce);
        using var publisher = await Mqtt.ConnectAsync(broker, "session-queue-pub");
        await publisher.PublishAsync(Mqtt.Message("session/queue", "one", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await publisher.PublishAsync(Mqtt.Message("session/queue", "two", MqttQualityOfServiceLevel.ExactlyOnce).Build());
        using var client = Mqtt.NewClient();
        var received = new MessageCollector(client);

        var connAck = await client.ConnectAsync(Persistent("session-queue").Build());

        Assert.True(connAck.IsSessionPresent);
        var first = await received.NextAsync("returning client waits for the queued QoS 1 message");
        var second = await received.NextAsync("returning client waits for the queued QoS 2 message");
        Assert.Equal(("one", MqttQualityOfServiceLevel.AtLeastOnce), (first.ConvertPayloadToString(), first.QualityOfServiceLevel));
        Assert.Equal(("two", MqttQualityOfServiceLevel.ExactlyOnce), (second.ConvertPayloadToString(), second.QualityOfServiceLevel));
        await EndSessionAsync(client);
    }

    [Fact]
    public async Task Persistent_session_keeps_subscriptions_for_live_messages_after_reconnect()
    {
        await LeaveSessionAsync("session-subs", "session/subs", MqttQualityOfServiceLevel.AtLeastOnce);
        using var client = Mqtt.NewClient();
        var received = new MessageCollector(client);
        await client.ConnectAsync(Persistent("session-subs").Build());
        using var publisher = await Mqtt.ConnectAsync(broker, "session-subs-pub");

        await publisher.PublishAsync(Mqtt.Message("session/subs", "live", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var message = await received.NextAsync("returning client waits for a message on its old subscription");
        Assert.Equal("live", message.ConvertPayloadToString());
        await EndSessionAsync(client);
    }

    [Fact]
    public async Task Session_present_is_0_for_a_new_session_and_1_when_it_is_resumed()
    {
        using var client = Mqtt.NewClient();
        var first = await client.ConnectAsync(Persistent("session-present").Build());
        await client.DisconnectAsync();

        var second = await client.ConnectAsync(Persistent("session-present").Build());

        Assert.False(first.IsSessionPresent);
        Assert.True(second.IsSessionPresent);
        await EndSessionAsync(client);
    }

    [Fact]
    public async Task Clean_start_discards_the_stored_session()
    {
        await LeaveSessionAsync("session-clean", "session/clean", MqttQualityOfServiceLevel.AtLeastOnce);
        using var client = Mqtt.NewClient();

        var connAck = await client.ConnectAsync(Mqtt.Options(broker, "session-clean").WithCleanStart(true).WithSessionExpiryInterval(60).Build());
        using var publisher = await Mqtt.ConnectAsync(broker, "session-clean-pub");
        var publish = await publisher.PublishAsync(Mqtt.Message("session/clean", "nobody", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        Assert.False(connAck.IsSessionPresent);
        Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, publish.ReasonCode);
        await EndSessionAsync(client);
    }

    [Fact]
    public async Task Session_ends_when_its_expiry_interval_passes()
    {
        using var client = Mqtt.NewClient();
        await client.ConnectAsync(Mqtt.Options(broker, "session-expires").WithCleanStart(false).WithSessionExpiryInterval(1).Build());
        await client.SubscribeAsync("session/expires", MqttQualityOfServiceLevel.AtLeastOnce);
        await client.DisconnectAsync();

        // Let the one-second session expiry pass: this wait is the behaviour under test.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var connAck = await client.ConnectAsync(Mqtt.Options(broker, "session-expires").WithCleanStart(false).WithSessionExpiryInterval(1).Build());

        Assert.False(connAck.IsSessionPresent);
        await EndSessionAsync(client);
    }

    [Fact]
    public async Task V311_clean_session_0_keeps_the_session_and_its_queued_messages()
    {
        using (var first = await Mqtt.ConnectAsync(broker, "session-311", MqttProtocolVersion.V311, o => o.WithCleanSession(false)))
        {
            await first.SubscribeAsync("session/v311", MqttQualityOfServiceLevel.AtLeastOnce);
            await first.DisconnectAsync();
        }

        using var publisher = await Mqtt.ConnectAsync(broker, "session-311-pub", MqttProtocolVersion.V311);
        await publisher.PublishAsync(Mqtt.Message("session/v311", "kept", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        using var client = Mqtt.NewClient();
        var received = new MessageCollector(client);

        var connAck = await client.ConnectAsync(Mqtt.Options(broker, "session-311", MqttProtocolVersion.V311).WithCleanSession(false).Build());

        Assert.True(connAck.IsSessionPresent);
        var message = await received.NextAsync("returning v3.1.1 client waits for the queued message");
        Assert.Equal("kept", message.ConvertPayloadToString());
        await client.DisconnectAsync();
        using var cleanup = await Mqtt.ConnectAsync(broker, "session-311", MqttProtocolVersion.V311, o => o.WithCleanSession(true));
        await cleanup.DisconnectAsync();
    }

    [Fact]
    public async Task V311_clean_session_1_starts_without_a_session()
    {
        using (var first = await Mqtt.ConnectAsync(broker, "session-311-clean", MqttProtocolVersion.V311, o => o.WithCleanSession(false)))
        {
            await first.SubscribeAsync("session/v311clean", MqttQualityOfServiceLevel.AtLeastOnce);
            await first.DisconnectAsync();
        }

        using var client = Mqtt.NewClient();

        var connAck = await client.ConnectAsync(Mqtt.Options(broker, "session-311-clean", MqttProtocolVersion.V311).WithCleanSession(true).Build());

        Assert.False(connAck.IsSessionPresent);
        await client.DisconnectAsync();
    }

    [Fact]
    public async Task Unacknowledged_qos1_message_is_resent_with_dup_after_the_session_resumes()
    {
        using var willWatcher = await Mqtt.ConnectAsync(broker, "session-dup-watch");
        var wills = new MessageCollector(willWatcher);
        await willWatcher.SubscribeAsync("session/dup/gone", MqttQualityOfServiceLevel.AtLeastOnce);
        var original = await LeaveUnacknowledgedAsync("session-dup", "session/dup", new RawWill("session/dup/gone", "dropped"));

        // The will is published once the broker has handed the dropped connection back to the session.
        await wills.NextAsync("watcher waits for the will that marks the end of the first connection");
        await AssertResentWithDupAsync("session-dup", original);
    }

    [Fact]
    public async Task Unacknowledged_qos1_message_is_resent_with_dup_when_the_client_reconnects_at_once()
    {
        var original = await LeaveUnacknowledgedAsync("session-dup-fast", "session/dupfast", will: null);

        await AssertResentWithDupAsync("session-dup-fast", original);
    }

    [Fact]
    public async Task A_takeover_resends_the_QoS_2_message_the_old_connection_had_in_flight_with_DUP_and_its_packet_id()
    {
        var (first, original) = await TakeOneInFlightAsync("takeover-inflight", "takeover/inflight", MqttQualityOfServiceLevel.ExactlyOnce);
        using var firstConnection = first;

        // While it is in flight (no PUBREC), a second connection takes the session over (MQTT-3.1.4-3): the first gets
        // 0x8E, the second the same message again, under its packet id, with DUP (MQTT-4.4.0-1), so a client that had
        // it already does not take it twice.
        using var second = await RawClient.OpenAsync(broker);
        var connAck = await second.ConnectAsync("takeover-inflight", RawPackets.V5, cleanStart: false, sessionExpiry: 0);
        var resent = await second.ExpectAsync(RawPacket.Publish, "the second connection waits for the resent message");
        var closed = await first.ExpectAsync(RawPacket.Disconnect, "the first connection waits for its DISCONNECT");

        Assert.True(connAck.SessionPresent);
        Assert.Equal(0x8E, closed.ReasonCode);
        Assert.True(resent.Dup, $"the resend must have DUP set and the original packet id {original.PacketId}: {resent}");
        Assert.Equal((original.PacketId, "owed", 2), (resent.PacketId, resent.PayloadText(RawPackets.V5), resent.QoS));
        await second.SendAsync(RawPackets.PubRec(resent.PacketId));
        await second.ExpectAsync(RawPacket.PubRel, "the second connection waits for PUBREL");
        await second.SendAsync(RawPackets.PubComp(resent.PacketId));
        await second.SendAsync(RawPackets.Disconnect(RawPackets.V5));
    }

    [Fact]
    public async Task A_message_in_flight_through_two_takeovers_in_a_row_is_resent_on_each_new_connection()
    {
        var (first, original) = await TakeOneInFlightAsync("takeover-twice", "takeover/twice", MqttQualityOfServiceLevel.AtLeastOnce);
        using var firstConnection = first;

        // Neither the first nor the second connection acknowledges it: the third gets it still, under its packet id.
        using var second = await RawClient.OpenAsync(broker);
        await second.ConnectAsync("takeover-twice", RawPackets.V5, cleanStart: false, sessionExpiry: 60);
        var again = await second.ExpectAsync(RawPacket.Publish, "the second connection waits for the resent message");
        using var third = await RawClient.OpenAsync(broker);
        var connAck = await third.ConnectAsync("takeover-twice", RawPackets.V5, cleanStart: false, sessionExpiry: 0);
        var last = await third.ExpectAsync(RawPacket.Publish, "the third connection waits for the resent message");

        Assert.True(connAck.SessionPresent);
        Assert.True(again.Dup && last.Dup, $"both resends must have DUP set: {again}, {last}");
        Assert.Equal((original.PacketId, "owed"), (last.PacketId, last.PayloadText(RawPackets.V5)));
        await third.SendAsync(RawPackets.PubAck(last.PacketId));
        await third.SendAsync(RawPackets.Disconnect(RawPackets.V5));
    }

    /// <summary>
    /// A raw persistent session (expiry 60 s) subscribed at <paramref name="qos"/> to <paramref name="topic"/>, and one
    /// message ("owed") it was sent and does not acknowledge: the open connection and that PUBLISH.
    /// </summary>
    private async Task<(RawClient First, RawPacket Original)> TakeOneInFlightAsync(string clientId, string topic, MqttQualityOfServiceLevel qos)
    {
        using var publisher = await Mqtt.ConnectAsync(broker, $"{clientId}-pub");
        var first = await RawClient.OpenAsync(broker);
        try
        {
            await first.ConnectAsync(clientId, RawPackets.V5, cleanStart: true, sessionExpiry: 60);
            await first.SendAsync(RawPackets.Subscribe(1, topic, RawPackets.V5, qos: (byte)qos));
            await first.ExpectAsync(RawPacket.SubAck, $"{clientId} waits for SUBACK");
            await publisher.PublishAsync(Mqtt.Message(topic, "owed", qos).Build());
            return (first, await first.ExpectAsync(RawPacket.Publish, $"{clientId} waits for the message it will not acknowledge"));
        }
        catch
        {
            first.Dispose();
            throw;
        }
    }

    /// <summary>Subscribes with a raw persistent session, takes one QoS 1 message without PUBACK, then resets the socket.</summary>
    private async Task<RawPacket> LeaveUnacknowledgedAsync(string clientId, string topic, RawWill? will)
    {
        using var publisher = await Mqtt.ConnectAsync(broker, $"{clientId}-pub");
        using var raw = await RawClient.OpenAsync(broker);
        await raw.ConnectAsync(clientId, RawPackets.V5, cleanStart: false, will: will, sessionExpiry: 60);
        await raw.SendAsync(RawPackets.Subscribe(1, topic, RawPackets.V5, qos: 1));
        await raw.ExpectAsync(RawPacket.SubAck, $"{clientId} waits for SUBACK");
        await publisher.PublishAsync(Mqtt.Message(topic, "unacked", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var original = await raw.ExpectAsync(RawPacket.Publish, $"{clientId} waits for the message it will not acknowledge");
        raw.Abort();
        Assert.False(original.Dup);
        return original;
    }

    private async Task AssertResentWithDupAsync(string clientId, RawPacket original)
    {
        using var raw = await RawClient.OpenAsync(broker);
        var connAck = await raw.ConnectAsync(clientId, RawPackets.V5, cleanStart: false, sessionExpiry: 0);
        var resent = await raw.ExpectAsync(RawPacket.Publish, $"{clientId} (resumed) waits for the resent message");

        Assert.True(connAck.SessionPresent);
        Assert.True(resent.Dup, $"the resend must have DUP set and the original packet id {original.PacketId}: {resent}");
        Assert.Equal((original.PacketId, "unacked", 1), (resent.PacketId, resent.PayloadText(RawPackets.V5), resent.QoS));
        await raw.SendAsync(RawPackets.PubAck(resent.PacketId));
        await raw.SendAsync(RawPackets.Disconnect(RawPackets.V5));
    }

    [Fact]
    public async Task A_connect_sent_right_after_a_disconnect_that_set_expiry_0_finds_the_session_ended()
    {
        // MQTT 5 3.1.2.11.2: the session ends as that connection closes. A CONNECT sent at once may reach the session
        // before the broker has handled the close (Paho's test_session_expiry does this once): it must find it ended.
        for (var i = 0; i < 50; i++)
        {
            // Raw: MQTTnet leaves a Session Expiry Interval of 0 out of its DISCONNECT, which then changes nothing.
            using (var raw = await RawClient.OpenAsync(broker))
            {
                await raw.ConnectAsync("session-overtake", sessionExpiry: 60);
                // DISCONNECT, reason 0x00, properties: Session Expiry Interval (0x11) = 0.
                await raw.SendAsync([0xE0, 0x07, 0x00, 0x05, 0x11, 0x00, 0x00, 0x00, 0x00]);
            }

            using var again = Mqtt.NewClient();
            var connAck = await again.ConnectAsync(Persistent("session-overtake").Build());
            Assert.False(connAck.IsSessionPresent, $"try {i}: session present after a DISCONNECT that set its expiry to 0");
            await again.DisconnectAsync();
        }
    }

    private MqttClientOptionsBuilder Persistent(string clientId) =>
        Mqtt.Options(broker, clientId).WithCleanStart(false).WithSessionExpiryInterval(60);

    private async Task LeaveSessionAsync(string clientId, string filter, MqttQualityOfServiceLevel qos)
    {
        using var client = await Mqtt.ConnectAsync(broker, clientId, configure: o => o.WithCleanStart(false).WithSessionExpiryInterval(60));
        await client.SubscribeAsync(filter, qos);
        await client.DisconnectAsync();
    }

    private static async Task EndSessionAsync(IMqttClient client) =>
        await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithSessionExpiryInterval(0).Build());
}
