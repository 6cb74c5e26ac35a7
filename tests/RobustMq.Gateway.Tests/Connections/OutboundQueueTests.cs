using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Connections;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Tests.Connections;

public sealed class OutboundQueueTests
{
    [Fact]
    public void Deliveries_wait_until_released_while_control_packets_go_at_once()
    {
        var queue = new OutboundQueue(window: 10, maxQueued: 10);
        queue.EnqueueDelivery(Message("t", qos: 0));
        queue.EnqueueControl(new ConnAckPacket());

        var before = Drain(queue);
        queue.Release();
        var after = Drain(queue);

        Assert.IsType<ConnAckPacket>(Assert.Single(before).Control);
        Assert.Equal("t", Assert.Single(after).Delivery!.Message.Topic);
    }

    [Fact]
    public void Resends_handed_on_before_the_connack_is_queued_go_after_it()
    {
        // A takeover hands the old connection's unacknowledged messages on while the new one still attaches.
        var queue = new OutboundQueue(window: 10, maxQueued: 10);
        Assert.True(queue.Resume([Message("resent", qos: 1) with { PacketId = 7 }], [3]));
        queue.EnqueueControl(new ConnAckPacket());
        queue.Release();

        var items = Drain(queue);

        Assert.IsType<ConnAckPacket>(items[0].Control);
        Assert.Equal((ushort)3, Assert.IsType<PubRelPacket>(items[1].Control).PacketId);
        Assert.Equal(("resent", (ushort)7, true), (items[2].Delivery!.Message.Topic, items[2].PacketId, items[2].Dup));
    }

    [Fact]
    public void A_stored_qos2_delivery_stays_released_after_pubrec_and_comes_back_so_when_the_queue_closes()
    {
        var queue = Released(window: 10);
        queue.EnqueueDelivery(Message("stored", qos: 2) with { StoreSequence = 42 });
        queue.EnqueueDelivery(Message("plain", qos: 2));
        var sent = Drain(queue);
        var stored = sent[0].PacketId;
        var plain = sent[1].PacketId;

        Assert.True(queue.Received(stored, out var released));
        Assert.True(queue.Received(plain, out var notStored));
        var (unacknowledged, pubrel) = queue.Close();

        Assert.Equal(2, sent.Count);
        Assert.Equal((42L, stored, true), (released!.StoreSequence, released.PacketId, released.Released));
        Assert.Null(notStored);
        Assert.Equal([plain], pubrel);
        var back = Assert.Single(unacknowledged);
        Assert.Equal((42L, stored, true), (back.StoreSequence, back.PacketId, back.Released));
    }

    [Fact]
    public void Qos1_deliveries_stop_at_the_window_and_an_acknowledgement_frees_a_slot()
    {
        var queue = Released(window: 2);
        for (var i = 0; i < 3; i++)
        {
            queue.EnqueueDelivery(Message($"t{i}", qos: 1));
        }

        var first = Drain(queue);
        Assert.Equal(["t0", "t1"], first.Select(i => i.Delivery!.Message.Topic));
        Assert.Empty(Drain(queue));

        Assert.True(queue.Complete(first[0].PacketId, out _));
        Assert.Equal("t2", Assert.Single(Drain(queue)).Delivery!.Message.Topic);
    }

    [Fact]
    public void Qos0_deliveries_pass_a_full_window()
    {
        var queue = Released(window: 1);
        queue.EnqueueDelivery(Message("q1", qos: 1));
        queue.EnqueueDelivery(Message("q0", qos: 0));

        var items = Drain(queue);

        Assert.Equal(["q1", "q0"], items.Select(i => i.Delivery!.Message.Topic));
        Assert.Equal(0, items[1].PacketId);
    }

    [Fact]
    public void Packet_ids_are_non_zero_and_skip_ids_in_flight()
    {
        var queue = new OutboundQueue(window: 10, maxQueued: 10);
        queue.Resume([Message("resent", qos: 1) with { PacketId = 1 }], []);
        queue.Release();
        queue.EnqueueDelivery(Message("new", qos: 1));

        var items = Drain(queue);

        Assert.Equal((ushort)1, items[0].PacketId);
        Assert.True(items[0].Dup, "a resent message carries DUP");
        Assert.Equal((ushort)2, items[1].PacketId);
        Assert.False(items[1].Dup);
    }

    [Fact]
    public void A_send_that_is_not_written_takes_no_packet_id()
    {
        var queue = Released(window: 10);
        queue.EnqueueDelivery(Message("too-large", qos: 1));
        queue.EnqueueDelivery(Message("small", qos: 1));

        var drained = DrainOnly(queue);
        Assert.All(drained, item => Assert.Equal((ushort)0, item.PacketId));
        queue.Forgo(out _);
        var id = queue.Admit();

        Assert.Equal((ushort)1, id);
        Assert.Equal(1, queue.InflightCount);
        queue.EnqueueDelivery(Message("next", qos: 1));
        Assert.Equal((ushort)2, Assert.Single(Drain(queue)).PacketId);
    }

    [Fact]
    public void A_send_that_is_not_written_gives_its_receive_maximum_slot_back()
    {
        var queue = Released(window: 1);
        queue.EnqueueDelivery(Message("too-large", qos: 2));
        queue.EnqueueDelivery(Message("small", qos: 2));

        Assert.Equal("too-large", Assert.Single(DrainOnly(queue)).Delivery!.Message.Topic);
        Assert.Empty(DrainOnly(queue));
        queue.Forgo(out _);

        var next = Assert.Single(Drain(queue));
        Assert.Equal(("small", (ushort)1), (next.Delivery!.Message.Topic, next.PacketId));
    }

    [Fact]
    public void Close_hands_back_drained_sends_not_yet_admitted_and_admits_nothing_after()
    {
        var queue = Released(window: 10);
        queue.EnqueueDelivery(Message("drained", qos: 1));
        DrainOnly(queue);
        queue.EnqueueDelivery(Message("queued", qos: 1));

        var (unacked, _) = queue.Close();

        Assert.Equal(["drained", "queued"], unacked.Select(m => m.Message.Topic));
        Assert.Equal((ushort)0, queue.Admit());
    }

    [Fact]
    public void Resume_resends_pubrel_for_qos2_ids_that_had_pubrec()
    {
        var queue = new OutboundQueue(window: 10, maxQueued: 10);
        queue.Resume([], [7]);
        queue.Release();

        var rel = Assert.IsType<PubRelPacket>(Assert.Single(Drain(queue)).Control);

        Assert.Equal(7, rel.PacketId);
        Assert.True(queue.Complete(7, out _), "PUBCOMP completes the resent PUBREL");
    }

    [Fact]
    public void Close_hands_back_unacknowledged_in_send_order_then_unsent_and_pubrel_ids()
    {
        var queue = Released(window: 2);
        foreach (var topic in new[] { "a", "b", "c" })
        {
            queue.EnqueueDelivery(Message(topic, qos: 2));
        }

        var sent = Drain(queue);
        Assert.True(queue.Received(sent[0].PacketId, out _));

        var (unacked, pubrel) = queue.Close();

        Assert.Equal(["b", "c"], unacked.Select(m => m.Message.Topic));
        Assert.Equal(sent[1].PacketId, unacked[0].PacketId);
        Assert.Equal((ushort)0, unacked[1].PacketId);
        Assert.Equal([sent[0].PacketId], pubrel);
    }

    [Fact]
    public void A_closed_queue_refuses_deliveries()
    {
        var queue = Released(window: 2);
        queue.Close();

        Assert.Equal(OutboundQueue.EnqueueResult.Closed, queue.EnqueueDelivery(Message("late", qos: 1)));
        Assert.False(queue.Resume([Message("late", qos: 1) with { PacketId = 3 }], []));
    }

    [Fact]
    public void Nothing_is_written_after_the_final_packet_and_later_deliveries_are_refused()
    {
        var queue = Released(window: 2);
        queue.EnqueueDelivery(Message("queued-before", qos: 1));

        queue.EnqueueFinal(new DisconnectPacket { ReasonCode = ReasonCode.SessionTakenOver });

        Assert.IsType<DisconnectPacket>(Assert.Single(Drain(queue)).Control);
        Assert.Equal(OutboundQueue.EnqueueResult.Closed, queue.EnqueueDelivery(Message("racing", qos: 1)));
        Assert.False(queue.Resume([Message("handed-on", qos: 1) with { PacketId = 3 }], []));
        Assert.Empty(Drain(queue));
        var (unacked, _) = queue.Close();
        Assert.Equal("queued-before", Assert.Single(unacked).Message.Topic);
    }

    [Fact]
    public void A_full_queue_drops_QoS_0_and_counts()
    {
        var queue = new OutboundQueue(window: 1, maxQueued: 2);

        var results = Enumerable.Range(0, 3).Select(i => queue.EnqueueDelivery(Message($"t{i}", qos: 0))).ToList();

        Assert.Equal([OutboundQueue.EnqueueResult.QueuedCongested, OutboundQueue.EnqueueResult.QueuedCongested, OutboundQueue.EnqueueResult.DroppedQueueFull], results);
        Assert.Equal(1, queue.Dropped);
    }

    [Fact]
    public void A_full_queue_of_a_client_still_draining_takes_QoS_1_past_its_limit_and_reports_it_congested()
    {
        var queue = new OutboundQueue(window: 1, maxQueued: 2);

        var results = Enumerable.Range(0, 4).Select(i => queue.EnqueueDelivery(Message($"t{i}", qos: (byte)(i % 2 + 1)))).ToList();

        Assert.All(results, r => Assert.Equal(OutboundQueue.EnqueueResult.QueuedCongested, r));
        Assert.Equal(0, queue.Dropped);
    }

    [Fact]
    public void Without_back_pressure_a_full_queue_drops_QoS_1_too()
    {
        var queue = new OutboundQueue(window: 1, maxQueued: 2, holdsPublishers: false);

        var results = Enumerable.Range(0, 3).Select(i => queue.EnqueueDelivery(Message($"t{i}", qos: 1))).ToList();

        Assert.Equal(OutboundQueue.EnqueueResult.DroppedQueueFull, results[2]);
        Assert.Equal(1, queue.Dropped);
    }

    [Fact]
    public void Acknowledging_an_unknown_id_is_reported()
    {
        var queue = Released(window: 2);

        Assert.False(queue.Complete(42, out _));
        Assert.False(queue.Received(42, out _));
    }

    [Fact]
    public void A_queue_reports_congestion_from_half_of_its_limit()
    {
        var queue = new OutboundQueue(window: 1, maxQueued: 8);

        var results = Enumerable.Range(0, 5).Select(i => queue.EnqueueDelivery(Message($"t{i}", qos: 1))).ToList();

        Assert.Equal(
            [OutboundQueue.EnqueueResult.Queued, OutboundQueue.EnqueueResult.Queued, OutboundQueue.EnqueueResult.Queued,
             OutboundQueue.EnqueueResult.QueuedCongested, OutboundQueue.EnqueueResult.QueuedCongested],
            results);
    }

    [Fact]
    public void A_publisher_waiting_for_room_resumes_once_the_queue_is_down_to_a_quarter()
    {
        var queue = new OutboundQueue(window: 1, maxQueued: 8);
        queue.Release();
        for (var i = 0; i < 4; i++)
        {
            queue.EnqueueDelivery(Message($"t{i}", qos: 1));
        }

        var room = queue.WaitForRoomAsync();
        var sent = Assert.Single(Drain(queue)); // one in flight, three still waiting
        Assert.False(room.IsCompleted);

        queue.Complete(sent.PacketId, out _);
        sent = Assert.Single(Drain(queue));     // two waiting: a quarter of 8, not below it
        Assert.False(room.IsCompleted);

        queue.Complete(sent.PacketId, out _);
        Assert.Single(Drain(queue));            // one waiting
        Assert.True(room.IsCompleted);
    }

    [Fact]
    public void A_stalled_queue_stops_reporting_congestion_and_drops_beyond_its_limit()
    {
        var queue = new OutboundQueue(window: 1, maxQueued: 4);
        for (var i = 0; i < 2; i++)
        {
            queue.EnqueueDelivery(Message($"t{i}", qos: 1));
        }

        var room = queue.WaitForRoomAsync();
        queue.MarkStalled();

        Assert.True(room.IsCompleted);
        Assert.Equal(OutboundQueue.EnqueueResult.Queued, queue.EnqueueDelivery(Message("t2", qos: 1)));
        Assert.Equal(OutboundQueue.EnqueueResult.Queued, queue.EnqueueDelivery(Message("t3", qos: 1)));
        Assert.Equal(OutboundQueue.EnqueueResult.DroppedQueueFull, queue.EnqueueDelivery(Message("t4", qos: 1)));
    }

    [Fact]
    public void Closing_the_queue_releases_waiting_publishers()
    {
        var queue = new OutboundQueue(window: 1, maxQueued: 2);
        queue.EnqueueDelivery(Message("t0", qos: 1));
        var room = queue.WaitForRoomAsync();
        Assert.False(room.IsCompleted);

        queue.Close();

        Assert.True(room.IsCompleted);
    }

    [Fact]
    public void Close_does_not_hand_back_a_resend_that_was_acknowledged_before_it_was_written()
    {
        var queue = new OutboundQueue(window: 10, maxQueued: 10);
        queue.Resume([Message("acked", qos: 2) with { PacketId = 5 }], []);
        queue.Release();

        Assert.True(queue.Complete(5, out _), "PUBCOMP for the id arrives before the resend is drained");
        var (unacked, pubrel) = queue.Close();

        Assert.Empty(unacked);
        Assert.Empty(pubrel);
    }

    [Fact]
    public void A_session_resumed_after_the_final_packet_is_kept_for_close_and_not_written()
    {
        var queue = new OutboundQueue(window: 10, maxQueued: 10);
        queue.EnqueueFinal(null);

        queue.ResumeSession([Message("inflight", qos: 1) with { PacketId = 4 }, Message("queued", qos: 1)], [9]);
        queue.Release();

        Assert.Empty(Drain(queue));
        var (unacked, pubrel) = queue.Close();
        Assert.Equal([("inflight", (ushort)4), ("queued", (ushort)0)], unacked.Select(m => (m.Message.Topic, m.PacketId)));
        Assert.Equal([(ushort)9], pubrel);
    }

    [Fact]
    public void A_resumed_message_whose_packet_id_is_taken_is_not_dropped_as_expired()
    {
        var queue = new OutboundQueue(window: 10, maxQueued: 10);
        var expired = new PendingMessage(new BrokerMessage("started", new byte[] { 1 }, 1, false) { ExpiresAtUnixMs = 1 }, 1, false, null);
        queue.Resume([Message("holder", qos: 1) with { PacketId = 3 }], []);
        queue.Resume([expired with { PacketId = 3 }], []);
        queue.Release();

        var batch = new List<OutItem>();
        var dropped = queue.Drain(batch, nowUnixMs: 1_000);

        Assert.Equal(0, dropped);
        var started = batch.Single(i => i.Delivery!.Message.Topic == "started");
        Assert.True(started.Started, "its delivery had started: exempt from the expiry drop (MQTT-3.3.2-5)");
    }

    [Fact]
    public void Forgo_reports_whether_the_send_was_still_held()
    {
        var queue = Released(window: 10);
        queue.EnqueueDelivery(Message("too-large", qos: 1));
        DrainOnly(queue);
        queue.Close();

        Assert.False(queue.Forgo(out _), "Close handed it back: the session counts it, not the write loop");
    }

    [Fact]
    public void Deliveries_queued_before_release_are_taken_for_a_check_and_nothing_of_them_is_written()
    {
        var queue = new OutboundQueue(window: 10, maxQueued: 10);
        queue.EnqueueDelivery(Message("early", qos: 1));

        var taken = queue.TakeQueued();
        queue.Release();

        Assert.Equal("early", Assert.Single(taken).Message.Topic);
        Assert.Empty(Drain(queue));
    }

    private static OutboundQueue Released(int window)
    {
        var queue = new OutboundQueue(window, maxQueued: 100);
        queue.Release();
        return queue;
    }

    /// <summary>Drains and admits every first QoS 1/2 send, as the write loop does for packets it writes.</summary>
    private static List<OutItem> Drain(OutboundQueue queue)
    {
        var batch = DrainOnly(queue);
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch[i].NeedsPacketId)
            {
                batch[i] = batch[i] with { PacketId = queue.Admit() };
            }
        }

        return batch;
    }

    private static List<OutItem> DrainOnly(OutboundQueue queue)
    {
        var batch = new List<OutItem>();
        queue.Drain(batch, 0);
        return batch;
    }

    private static PendingMessage Message(string topic, byte qos) =>
        new(new BrokerMessage(topic, new byte[] { 1 }, qos, false), qos, false, null);
}
