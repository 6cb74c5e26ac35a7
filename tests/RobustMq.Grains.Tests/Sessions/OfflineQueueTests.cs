using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Nodes;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Routing;
using RobustMq.Grains.Tests.Infrastructure;

namespace RobustMq.Grains.Tests.Sessions;

[Collection(ClusterCollection.Name)]
public sealed class OfflineQueueTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Messages_queued_while_disconnected_come_back_in_order_on_the_next_connect()
    {
        var client = await DisconnectedSession("queue-order");
        await client.Session.Enqueue([TestMessages.Pending("queue/order", "one", qos: 1), TestMessages.Pending("queue/order", "two", qos: 2)]);
        await client.Session.Enqueue([TestMessages.Pending("queue/order", "three", qos: 1)]);

        var result = await client.ConnectAsync(cleanStart: false);

        Assert.Equal(
            [("one", (byte)1), ("two", (byte)2), ("three", (byte)1)],
            Array.ConvertAll(result.Pending, p => (TestMessages.Text(p), p.QoS)));
    }

    [Fact]
    public async Task QoS0_messages_are_not_queued_for_a_disconnected_session()
    {
        var client = await DisconnectedSession("queue-qos0");

        await client.Session.Enqueue([TestMessages.Pending("queue/qos0", "zero", qos: 0), TestMessages.Pending("queue/qos0", "one", qos: 1)]);

        Assert.Equal(1, (await client.Session.GetInfo()).QueuedMessages);
        var result = await client.ConnectAsync(cleanStart: false);
        Assert.Equal(["one"], Array.ConvertAll(result.Pending, TestMessages.Text));
    }

    [Fact]
    public async Task The_offline_queue_keeps_at_most_MaxQueuedMessages_and_drops_the_oldest()
    {
        var client = await DisconnectedSession("queue-bound");
        var offered = new PendingMessage[ClusterFixture.MaxQueuedMessages + 2];
        for (var i = 0; i < offered.Length; i++)
        {
            offered[i] = TestMessages.Pending("queue/bound", "m" + i);
        }

        await client.Session.Enqueue(offered);

        var result = await client.ConnectAsync(cleanStart: false);
        Assert.Equal(["m2", "m3", "m4", "m5", "m6"], Array.ConvertAll(result.Pending, TestMessages.Text));
    }

    [Fact]
    public async Task Messages_are_handed_out_once()
    {
        var client = await DisconnectedSession("queue-once");
        await client.Session.Enqueue([TestMessages.Pending("queue/once", "one")]);
        await client.ConnectAsync(cleanStart: false);
        await client.DisconnectAsync(DisconnectKind.Abnormal);

        var result = await client.ConnectAsync(cleanStart: false);

        Assert.Empty(result.Pending);
    }

    [Fact]
    public async Task Unacknowledged_messages_handed_back_on_disconnect_come_first_with_their_packet_ids()
    {
        var client = cluster.NewClient("queue-unacked");
        await client.ConnectAsync();
        await client.DisconnectAsync(
            DisconnectKind.Abnormal,
            unacknowledged: [TestMessages.Pending("queue/unacked", "sent-1", packetId: 7), TestMessages.Pending("queue/unacked", "sent-2", qos: 2, packetId: 8)]);
        await client.Session.Enqueue([TestMessages.Pending("queue/unacked", "queued")]);

        var result = await client.ConnectAsync(cleanStart: false);

        Assert.Equal(
            [("sent-1", (ushort)7), ("sent-2", (ushort)8), ("queued", (ushort)0)],
            Array.ConvertAll(result.Pending, p => (TestMessages.Text(p), p.PacketId)));
    }

    [Fact]
    public async Task Pending_pubrel_and_inbound_qos2_packet_ids_come_back_on_reconnect()
    {
        var client = cluster.NewClient("queue-qos2-ids");
        await client.ConnectAsync();
        await client.DisconnectAsync(DisconnectKind.Abnormal, pendingPubRel: [3, 4], inboundQoS2: [9]);

        var result = await client.ConnectAsync(cleanStart: false);

        var pubRel = result.PendingPubRel.Order().ToArray();
        Assert.Equal(new ushort[] { 3, 4 }, pubRel);
        Assert.Equal(new ushort[] { 9 }, result.InboundQoS2);
    }

    [Fact]
    public async Task Enqueue_for_a_session_that_does_not_exist_creates_nothing()
    {
        var session = cluster.Client.GetGrain<ISessionGrain>("queue-no-session");

        await session.Enqueue([TestMessages.Pending("queue/none", "lost")]);

        var info = await session.GetInfo();
        Assert.Equal((false, 0), (info.Exists, info.QueuedMessages));
    }

    [Fact]
    public async Task EnqueueAgain_leaves_out_the_copies_the_session_has_and_drops_QoS_0()
    {
        var client = await DisconnectedSession("queue-again");
        var had = WithId(TestMessages.Pending("queue/again", "had"));
        await client.Session.Enqueue([had]);

        // The same message again, the same message through a shared subscription (another copy), a new one, a QoS 0 one.
        var shared = had with { ShareGroup = "g", ShareFilter = "queue/#" };
        await client.Session.EnqueueAgain([had, shared, WithId(TestMessages.Pending("queue/again", "new")), WithId(TestMessages.Pending("queue/again", "zero", qos: 0))]);

        var result = await client.ConnectAsync(cleanStart: false);
        Assert.Equal(["had", "had", "new"], Array.ConvertAll(result.Pending, TestMessages.Text));
        Assert.Equal(["-", "g", "-"], Array.ConvertAll(result.Pending, p => p.ShareGroup ?? "-"));
    }

    [Fact]
    public async Task A_handover_whose_session_call_ran_but_lost_its_answer_to_a_silos_death_queues_the_message_once()
    {
        var client = await DisconnectedSession("queue-lost-answer");
        EnqueueHold.LoseNextAnswer("queue-lost-answer");

        // The first Enqueue queues it, and its caller hears the silo died: the handover calls EnqueueAgain, which
        // finds it queued. The publisher is acknowledged (Stored), not refused into a resend.
        var outcomes = await cluster.Service<SessionHandover>(0).HandOverAsync(
            [new NodeDelivery("queue-lost-answer", WithId(TestMessages.Pending("queue/lost", "once")))], CancellationToken.None);

        Assert.Equal(StoreOutcome.Stored, Assert.Single(outcomes).Outcome);
        var result = await client.ConnectAsync(cleanStart: false);
        Assert.Equal(["once"], Array.ConvertAll(result.Pending, TestMessages.Text));
    }

    private static PendingMessage WithId(PendingMessage pending) => pending with { Message = pending.Message with { MessageId = MessageIds.New() } };

    private async Task<TestClient> DisconnectedSession(string clientId)
    {
        var client = cluster.NewClient(clientId);
        await client.ConnectAsync();
        await client.DisconnectAsync(DisconnectKind.Abnormal);
        return client;
    }
}
