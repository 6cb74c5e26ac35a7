using System.Text;
using MQTTnet;
using MQTTnet.Protocol;
using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Shared;

/// <summary>
/// MQTT 5 section 4.8.2: a shared subscription's message that its member did not acknowledge goes to another member
/// when that member's session ends. Member A is a raw client that never acknowledges; member B is MQTTnet.
/// </summary>
public sealed class SharedRedispatchTests(NoSysBrokerFixture broker) : IClassFixture<NoSysBrokerFixture>
{
    private const int PubRel = 6;
    private const int UnsubAck = 11;

    [Fact]
    public async Task Clean_session_member_that_goes_away_hands_its_unacknowledged_and_queued_messages_to_the_other_member()
    {
        const string filter = "$share/rd1/shared/rd1";
        using var memberA = await RawMemberAsync("rd1-a", filter, qos: 1, receiveMaximum: 3);
        var sent = await PublishAsync("rd1-pub", "shared/rd1", 8, MqttQualityOfServiceLevel.AtLeastOnce);
        var inflight = await ReadPublishesAsync(memberA, 3, "member A (receive maximum 3)");
        Assert.Equal(sent.Take(3), inflight);
        using var memberB = await Mqtt.ConnectAsync(broker, "rd1-b");
        var received = new MessageCollector(memberB);
        await memberB.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce);

        memberA.Abort();

        var payloads = await ReceiveExactlyAsync(received, 8, "member B after member A's clean session ended (3 in flight, 5 queued)");
        Assert.Equal(sent.Order(StringComparer.Ordinal), payloads.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Qos2_messages_whose_pubrec_came_are_not_sent_to_another_member()
    {
        const string filter = "$share/rd2/shared/rd2";
        using var memberA = await RawMemberAsync("rd2-a", filter, qos: 2, receiveMaximum: 4);
        var sent = await PublishAsync("rd2-pub", "shared/rd2", 6, MqttQualityOfServiceLevel.ExactlyOnce);
        var publishes = new List<RawPacket>();
        for (var i = 0; i < 4; i++)
        {
            publishes.Add(await memberA.ExpectAsync(RawPacket.Publish, $"member A waits for QoS 2 PUBLISH {i + 1} of 4"));
        }

        // PUBREC for the first two: those were received by A (delivered), and PUBREL comes back for each.
        foreach (var publish in publishes.Take(2))
        {
            await memberA.SendAsync([0x50, 0x02, (byte)(publish.PacketId >> 8), (byte)publish.PacketId]);
            await memberA.ExpectAsync(PubRel, $"member A waits for PUBREL {publish.PacketId}");
        }

        using var memberB = await Mqtt.ConnectAsync(broker, "rd2-b");
        var received = new MessageCollector(memberB);
        await memberB.SubscribeAsync(filter, MqttQualityOfServiceLevel.ExactlyOnce);

        memberA.Abort();

        var payloads = await ReceiveExactlyAsync(received, 4, "member B after member A ended (2 PUBREC'd, 2 in flight, 2 queued)");
        var received2 = publishes.Take(2).Select(p => p.PayloadText(RawPackets.V5)).ToList();
        Assert.Equal(sent.Except(received2).Order(StringComparer.Ordinal), payloads.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Persistent_member_whose_session_expires_hands_its_messages_on_only_then()
    {
        const string filter = "$share/rd3/shared/rd3";
        using var memberA = await RawMemberAsync("rd3-a", filter, qos: 1, receiveMaximum: 2, sessionExpiry: 3);
        var sent = await PublishAsync("rd3-pub", "shared/rd3", 5, MqttQualityOfServiceLevel.AtLeastOnce);
        await ReadPublishesAsync(memberA, 2, "member A (receive maximum 2)");
        using var memberB = await Mqtt.ConnectAsync(broker, "rd3-b");
        var received = new MessageCollector(memberB);
        await memberB.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce);

        memberA.Abort();

        // A's session lives 3 s after the connection ended: until then its messages are A's.
        var early = await received.NoneWithinAsync(TimeSpan.FromSeconds(1));
        Assert.True(early is null, $"member B got '{early?.ConvertPayloadToString()}' while member A's session still lived");
        var payloads = await ReceiveExactlyAsync(received, 5, "member B after member A's session expired (2 in flight, 3 queued)");
        Assert.Equal(sent.Order(StringComparer.Ordinal), payloads.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Persistent_member_that_reconnects_gets_its_unacknowledged_messages_back_and_the_other_member_none()
    {
        const string filter = "$share/rd4/shared/rd4";
        var memberA = await RawMemberAsync("rd4-a", filter, qos: 1, receiveMaximum: 2, sessionExpiry: 60);
        var sent = await PublishAsync("rd4-pub", "shared/rd4", 4, MqttQualityOfServiceLevel.AtLeastOnce);
        await ReadPublishesAsync(memberA, 2, "member A before it goes away");
        using var memberB = await Mqtt.ConnectAsync(broker, "rd4-b");
        var received = new MessageCollector(memberB);
        await memberB.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        memberA.Abort();
        memberA.Dispose();

        using var again = await RawClient.OpenAsync(broker);
        var connAck = await again.ConnectAsync("rd4-a", cleanStart: false, sessionExpiry: 0, receiveMaximum: 10);
        Assert.True(connAck.SessionPresent, "member A's session should be present on reconnect");
        var redelivered = new List<RawPacket>();
        for (var i = 0; i < 4; i++)
        {
            redelivered.Add(await again.ExpectAsync(RawPacket.Publish, $"reconnected member A waits for message {i + 1} of 4"));
        }

        Assert.Equal(sent, redelivered.Select(p => p.PayloadText(RawPackets.V5)));
        Assert.Equal([true, true, false, false], redelivered.Select(p => p.Dup));
        foreach (var publish in redelivered)
        {
            await again.SendAsync(RawPackets.PubAck(publish.PacketId));
        }

        var stray = await received.NoneWithinAsync(TimeSpan.FromMilliseconds(500));
        Assert.True(stray is null, $"member B got '{stray?.ConvertPayloadToString()}', which member A's living session kept");
    }

    [Fact]
    public async Task Member_that_unsubscribes_hands_on_what_was_not_sent_at_once_and_what_was_in_flight_when_it_ends()
    {
        const string filter = "$share/rd5/shared/rd5";
        using var memberA = await RawMemberAsync("rd5-a", filter, qos: 1, receiveMaximum: 2);
        var sent = await PublishAsync("rd5-pub", "shared/rd5", 6, MqttQualityOfServiceLevel.AtLeastOnce);
        var inflight = await ReadPublishesAsync(memberA, 2, "member A (receive maximum 2)");
        using var memberB = await Mqtt.ConnectAsync(broker, "rd5-b");
        var received = new MessageCollector(memberB);
        await memberB.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce);

        await memberA.SendAsync(Unsubscribe(7, filter));
        await memberA.ExpectAsync(UnsubAck, "member A waits for UNSUBACK");

        var queued = await ReceiveExactlyAsync(received, 4, "member B after member A left the share (4 not sent)");
        Assert.Equal(sent.Skip(2).Order(StringComparer.Ordinal), queued.Order(StringComparer.Ordinal));

        // MQTT-3.10.4-3: the two in flight stay A's until A's session ends without acknowledging them.
        memberA.Abort();
        var rest = await ReceiveExactlyAsync(received, 2, "member B after member A's session ended (2 in flight)");
        Assert.Equal(inflight.Order(StringComparer.Ordinal), rest.Order(StringComparer.Ordinal));
    }

    [Fact]
    [Trait("Topology", "SingleNode")] // the counters of one node
    public async Task Messages_of_a_member_that_ends_with_no_other_member_left_are_dropped_and_counted()
    {
        using var metrics = new DropMetrics(broker);
        const string filter = "$share/rd6/shared/rd6";
        using var memberA = await RawMemberAsync("rd6-a", filter, qos: 1, receiveMaximum: 2);
        await PublishAsync("rd6-pub", "shared/rd6", 5, MqttQualityOfServiceLevel.AtLeastOnce);
        await ReadPublishesAsync(memberA, 2, "member A (receive maximum 2)");
        var before = await metrics.ReadAsync("no_subscribers");

        memberA.Abort();

        await metrics.WaitForAsync("no_subscribers", before + 5, "after the only member ended owing 5 messages");
    }

    private async Task<RawClient> RawMemberAsync(string clientId, string filter, byte qos, ushort receiveMaximum, uint? sessionExpiry = null)
    {
        var client = await RawClient.OpenAsync(broker);
        await client.ConnectAsync(clientId, sessionExpiry: sessionExpiry, receiveMaximum: receiveMaximum);
        await client.SendAsync(RawPackets.Subscribe(1, filter, RawPackets.V5, qos));
        var subAck = await client.ExpectAsync(RawPacket.SubAck, $"{clientId} waits for SUBACK");
        Assert.Equal(qos, subAck.Body[^1]);
        return client;
    }

    private async Task<List<string>> PublishAsync(string clientId, string topic, int count, MqttQualityOfServiceLevel qos)
    {
        using var publisher = await Mqtt.ConnectAsync(broker, clientId);
        var payloads = new List<string>();
        for (var i = 0; i < count; i++)
        {
            payloads.Add($"m{i}");
            await publisher.PublishAsync(Mqtt.Message(topic, $"m{i}", qos).Build());
        }

        return payloads;
    }

    private static async Task<List<string>> ReadPublishesAsync(RawClient client, int count, string who)
    {
        var payloads = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var publish = await client.ExpectAsync(RawPacket.Publish, $"{who} waits for PUBLISH {i + 1} of {count}");
            payloads.Add(publish.PayloadText(RawPackets.V5));
        }

        return payloads;
    }

    private static async Task<List<string>> ReceiveExactlyAsync(MessageCollector received, int count, string phase)
    {
        var payloads = new List<string>();
        for (var i = 0; i < count; i++)
        {
            payloads.Add((await received.NextAsync($"{phase}: message {i + 1} of {count} (got [{string.Join(", ", payloads)}])")).ConvertPayloadToString());
        }

        var extra = await received.NoneWithinAsync(TimeSpan.FromMilliseconds(500));
        Assert.True(extra is null, $"{phase}: more than {count} messages, the extra one '{extra?.ConvertPayloadToString()}' (got [{string.Join(", ", payloads)}])");
        return payloads;
    }

    private static byte[] Unsubscribe(ushort packetId, string filter)
    {
        var topic = Encoding.UTF8.GetBytes(filter);
        var body = new List<byte> { (byte)(packetId >> 8), (byte)packetId, 0x00, (byte)(topic.Length >> 8), (byte)topic.Length };
        body.AddRange(topic);
        return RawPackets.Frame(0xA2, body);
    }
}
