using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Options;
using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Sessions;
using RobustMq.Storage;

namespace RobustMq.Grains.Tests.Sessions;

/// <summary>
/// Which queue records a session writes and deletes as its messages move between it and its connection (issue 10):
/// a record lives until its message is acknowledged or dropped, wherever the message is.
/// </summary>
public sealed class SessionQueueRecordTests
{
    private const string Prefix = "00001:c/";
    private static readonly MqttOptions Options = new() { MaxQueuedMessages = 2 };

    [Fact]
    public void Messages_handed_to_a_connection_keep_their_records_and_carry_their_sequences()
    {
        var state = new SessionState { QueueKeyPrefix = Prefix };
        Write(state, s => s.Add(Message("a"), Options));
        Write(state, s => s.Add(Message("b"), Options));

        PendingMessage[] handed = [];
        var changes = Write(state, s => handed = s.TakePending(0, out _));

        Assert.Empty(changes);
        Assert.Equal([1L, 2L], handed.Select(m => m.StoreSequence));
        Assert.Empty(state.Queue);
    }

    [Fact]
    public void An_expired_message_is_not_handed_over_and_its_record_goes()
    {
        var state = new SessionState { QueueKeyPrefix = Prefix };
        Write(state, s => s.Add(new PendingMessage(new BrokerMessage("x", new byte[] { 1 }, 1, false) { ExpiresAtUnixMs = 5 }, 1, false, null), Options));

        var changes = Write(state, s => s.TakePending(10, out _));

        Assert.Equal([(StorageOperationKind.Delete, SessionQueue.Key(Prefix, 1))], changes);
    }

    [Fact]
    public void Messages_a_connection_stored_and_gives_back_keep_their_records_and_later_ones_queue_after_them()
    {
        var state = new SessionState { QueueKeyPrefix = Prefix };
        var range = state.ReserveRange();
        var returned = Message("r") with { StoreSequence = range + 4, PacketId = 9 };

        var back = Write(state, s => s.ReturnUnacknowledged([returned]));
        var later = Write(state, s => s.Add(Message("later"), Options));

        Assert.Empty(back);
        Assert.Equal([(StorageOperationKind.Put, SessionQueue.Key(Prefix, range + 5))], later);
        Assert.Equal([range + 4, range + 5], state.TakePending(0, out _).Select(m => m.StoreSequence));
    }

    [Fact]
    public void Each_connection_gets_a_range_above_every_record_and_every_range_before()
    {
        var state = new SessionState { QueueKeyPrefix = Prefix };
        state.Restore(SessionQueue.Key(Prefix, (3 * SessionQueue.RangeSize) + 17), Message("restored"));

        var first = state.ReserveRange();
        var second = state.ReserveRange();

        Assert.Equal(4 * SessionQueue.RangeSize, first);
        Assert.Equal(5 * SessionQueue.RangeSize, second);
    }

    [Fact]
    public void A_released_qos2_message_is_not_owed_when_the_session_ends_but_its_record_goes()
    {
        var state = new SessionState { QueueKeyPrefix = Prefix };
        Write(state, s => s.ReturnUnacknowledged([Message("done") with { StoreSequence = 70, PacketId = 3, Released = true }, Message("owed") with { StoreSequence = 71, PacketId = 4 }]));

        PendingMessage[] owed = [];
        var changes = Write(state, s => owed = s.TakeOwed());

        Assert.Equal("owed", Assert.Single(owed).Message.Topic);
        Assert.Equal([SessionQueue.Key(Prefix, 70), SessionQueue.Key(Prefix, 71)], changes.Select(c => c.Key).Order());
    }

    [Fact]
    public void A_stored_message_the_full_queue_refuses_loses_its_record()
    {
        var state = new SessionState { QueueKeyPrefix = Prefix };
        Write(state, s => s.ReturnUnacknowledged([Message("a") with { StoreSequence = 50, PacketId = 1 }, Message("b") with { StoreSequence = 51, PacketId = 2 }]));

        var changes = Write(state, s => s.Add(Message("c") with { StoreSequence = 52 }, Options));

        Assert.Equal([(StorageOperationKind.Delete, SessionQueue.Key(Prefix, 52))], changes);
    }

    [Fact]
    public void After_a_takeover_no_record_of_the_older_connection_counts_as_the_session_s_own()
    {
        var state = new SessionState { QueueKeyPrefix = Prefix };
        var first = state.AttachConnection(stores: true);
        var second = state.AttachConnection(stores: true);

        // The older connection's records come back only with its late DISCONNECT; a reload meanwhile must not take them.
        Assert.False(state.OwnsRecord(SessionQueue.Key(Prefix, first + 5)));
        Assert.False(state.OwnsRecord(SessionQueue.Key(Prefix, second)));
        Assert.True(state.OwnsRecord(SessionQueue.Key(Prefix, state.OwnedFrom)));
        Assert.True(state.OwnedFrom > first && state.OwnedFrom < second);

        // What the session queues itself meanwhile goes in its own range.
        var queued = Write(state, s => s.Add(Message("race"), Options));
        Assert.Equal([(StorageOperationKind.Put, SessionQueue.Key(Prefix, state.OwnedFrom))], queued);
    }

    [Fact]
    public void A_qos0_message_handed_to_a_connection_loses_its_record()
    {
        var state = new SessionState { QueueKeyPrefix = Prefix };
        Write(state, s => s.Add(new PendingMessage(new BrokerMessage("q0", new byte[] { 1 }, 0, false), 0, false, null), Options));

        PendingMessage[] handed = [];
        var changes = Write(state, s => handed = s.TakePending(0, out _));

        Assert.Equal([(StorageOperationKind.Delete, SessionQueue.Key(Prefix, 1))], changes);
        Assert.Equal(0, Assert.Single(handed).StoreSequence);
    }

    [Fact]
    public void A_key_that_is_not_a_queue_key_is_corrupt()
    {
        Assert.Equal(StorageErrorKind.Corrupt, Assert.Throws<StorageException>(() => SessionQueue.SequenceOf(Prefix, Prefix + "12")).Kind);
        Assert.Equal(-5, SessionQueue.SequenceOf(Prefix, SessionQueue.Key(Prefix, -5)));
    }

    [Fact]
    public void A_late_hand_back_knows_a_delivery_taken_already_by_its_record_or_else_by_message_id_and_shared_subscription()
    {
        var state = new SessionState { QueueKeyPrefix = Prefix };
        var range = state.AttachConnection(stores: true);
        var recovered = Message("a") with { StoreSequence = range + 3 };
        Write(state, s => s.ReturnUnacknowledged([recovered]));

        Assert.True(state.Holds(range + 3));
        Assert.False(state.Holds(range + 4));
        Assert.True(SessionState.SameDelivery(recovered, Message("b") with { StoreSequence = range + 3 }));
        Assert.False(SessionState.SameDelivery(recovered, Message("c") with { StoreSequence = range + 4 }));

        var id = Abstractions.Messages.MessageIds.New();
        var unstored = Message("d") with { Message = Message("d").Message with { MessageId = id } };
        Assert.True(SessionState.SameDelivery(unstored, Message("e") with { Message = Message("e").Message with { MessageId = id } }));
        Assert.False(SessionState.SameDelivery(unstored, unstored with { ShareGroup = "g", ShareFilter = "t" }));
        Assert.False(SessionState.SameDelivery(unstored, Message("d")));
    }

    [Fact]
    public void Inbound_packet_id_keys_round_trip_and_others_are_corrupt()
    {
        Assert.Equal((ushort)65535, SessionQueue.PacketIdOf(Prefix, SessionQueue.InboundKey(Prefix, 65535)));
        Assert.Equal((ushort)1, SessionQueue.PacketIdOf(Prefix, SessionQueue.InboundKey(Prefix, 1)));
        Assert.Equal(StorageErrorKind.Corrupt, Assert.Throws<StorageException>(() => SessionQueue.PacketIdOf(Prefix, Prefix + "99999")).Kind);
        Assert.Equal(StorageErrorKind.Corrupt, Assert.Throws<StorageException>(() => SessionQueue.PacketIdOf(Prefix, Prefix + "1")).Kind);
    }

    private static List<(StorageOperationKind Kind, string? Key)> Write(SessionState state, Action<SessionState> change)
    {
        var batch = new StorageBatch();
        state.Changes = batch;
        change(state);
        state.Changes = null;
        return [.. batch.Operations.Select(o => (o.Kind, o.Key))];
    }

    private static PendingMessage Message(string topic) => new(new BrokerMessage(topic, new byte[] { 1 }, 1, false), 1, false, null);
}
