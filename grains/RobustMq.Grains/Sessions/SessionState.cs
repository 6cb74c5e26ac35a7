using RobustMq.Abstractions.Options;
using RobustMq.Abstractions.Sessions;
using RobustMq.Grains.Storage;
using RobustMq.Storage;

namespace RobustMq.Grains.Sessions;

/// <summary>
/// The state of one session. When <see cref="QueueKeyPrefix"/> is set, every change to <see cref="Queue"/> is also
/// written to <see cref="Changes"/> (a put or delete of the entry's keyed record in space <see cref="SessionQueue.Space"/>),
/// so the grain can store it; each entry's key is the prefix and a sequence number that keeps the queue's order. A
/// message that is already stored (<see cref="PendingMessage.StoreSequence"/>: a connection stored it) keeps its record.
/// </summary>
internal sealed class SessionState
{
    private readonly Dictionary<PendingMessage, long> _sequences = new(ReferenceEqualityComparer.Instance);
    private long _front;
    private long _back;

    // The first sequence of the range the next connection gets (SessionQueue.RangeSize each); ranges only grow.
    private long _nextRange = SessionQueue.RangeSize;

    // The message ids of those records, with the shared subscription each came through (see RecoveredMessage).
    private HashSet<(Guid, string?, string?)>? _recoveredIds;

    /// <summary>The key prefix of this session's queue records, or null when nothing is stored.</summary>
    public string? QueueKeyPrefix { get; set; }

    /// <summary>Where queue changes are written while set (the grain sets it for one call and stores it after).</summary>
    public StorageBatch? Changes { get; set; }

    public bool Exists { get; set; }
    public ConnectionRef? Connection { get; set; }
    public string? Node { get; set; }

    /// <summary>Whether the current connection asked for a clean start.</summary>
    public bool StartedClean { get; set; }
    public uint ExpirySeconds { get; set; }

    /// <summary>When the last connection ended (Unix ms); 0 while connected.</summary>
    public long DisconnectedAtUnixMs { get; set; }
    public WillRecord? Will { get; set; }
    public byte ProtocolVersion { get; set; }
    public string? UserName { get; set; }
    public Dictionary<string, SubscriptionRecord> Subscriptions { get; } = new(StringComparer.Ordinal);

    /// <summary>Messages owed to the client, oldest first; inflight ones (packet id set) lead.</summary>
    public LinkedList<PendingMessage> Queue { get; } = new();
    public HashSet<ushort> PendingPubRel { get; } = [];
    public HashSet<ushort> InboundQoS2 { get; } = [];

    /// <summary>Deletes the keyed records <paramref name="records"/> with the next write (an ending session's subscriptions and inbound QoS 2 ids).</summary>
    public void DeleteRecords(IReadOnlyList<(string Space, string Key)> records)
    {
        foreach (var (space, key) in records)
        {
            Changes?.Delete(space, key);
        }
    }

    /// <summary>Records subscription changes made by the grain itself (see <see cref="SessionSubscriptions"/>).</summary>
    public void SaveSubscriptions(IEnumerable<SubscriptionRecord> put, IEnumerable<string> removed)
    {
        if (QueueKeyPrefix is not null && Changes is not null)
        {
            SessionSubscriptions.AddTo(Changes, QueueKeyPrefix, put, removed);
        }
    }

    public void Clear()
    {
        SaveSubscriptions([], Subscriptions.Keys);
        Exists = false;
        Connection = null;
        Will = null;
        Subscriptions.Clear();
        ClearQueue();
        PendingPubRel.Clear();
        InboundQoS2.Clear();
    }

    /// <summary>
    /// Unacknowledged messages go back before the queued ones, in the order they were sent; those a connection stored
    /// keep their records.
    /// </summary>
    public void ReturnUnacknowledged(PendingMessage[] unacknowledged)
    {
        for (var i = unacknowledged.Length - 1; i >= 0; i--)
        {
            Queue.AddFirst(unacknowledged[i]);
            Stored(unacknowledged[i], front: true);
        }
    }

    /// <summary>
    /// Queue a message. A queue already holding <c>Mqtt:MaxQueuedMessages</c> makes room by the drop policy (issue 10,
    /// as EMQX's message queue): the oldest queued QoS 0 message goes first; with none, a new QoS 0 message is the one
    /// dropped; otherwise the oldest message not yet in flight goes (a delivery that started, with a packet id, is never
    /// dropped; when every queued message is in flight the new one is). Returns the dropped message (the caller counts
    /// it as <c>queue_full</c>), or null.
    /// </summary>
    public PendingMessage? Add(PendingMessage message, MqttOptions options)
    {
        if (Queue.Count < options.MaxQueuedMessages)
        {
            Queue.AddLast(message);
            Stored(message, front: false);
            return null;
        }

        var victim = OldestNotInFlight(qos0Only: true);
        if (victim is null && message.QoS == 0)
        {
            return Refused(message);
        }

        victim ??= OldestNotInFlight(qos0Only: false);
        if (victim is null)
        {
            return Refused(message);
        }

        var dropped = victim.Value;
        Queue.Remove(victim);
        Unstored(dropped);
        Queue.AddLast(message);
        Stored(message, front: false);
        return dropped;
    }
    /// <summary>
    /// Hand every queued message to the new connection, leaving out expired ones (inflight ones are kept: their
    /// delivery started); <paramref name="expired"/> is how many were left out (their records are deleted). The records
    /// of those handed over stay, each message carrying its <see cref="PendingMessage.StoreSequence"/>: the connection
    /// deletes a record once its client acknowledges the message.
    /// </summary>
    public PendingMessage[] TakePending(long nowUnixMs, out int expired)
    {
        expired = 0;
        var result = new List<PendingMessage>(Queue.Count);
        foreach (var message in Queue)
        {
            if (message.PacketId == 0 && message.Message.IsExpired(nowUnixMs))
            {
                expired++;
                Unstored(message);
                continue;
            }

            if (message.QoS == 0)
            {
                // Nothing acknowledges a QoS 0 delivery, so no one would delete its record: it goes now (and with it
                // the message after a crash, which QoS 0 allows).
                Unstored(message);
                result.Add(message.StoreSequence == 0 ? message : message with { StoreSequence = 0 });
                continue;
            }

            result.Add(_sequences.Remove(message, out var sequence) && sequence != message.StoreSequence ? message with { StoreSequence = sequence } : message);
        }

        Queue.Clear();
        return [.. result];
    }

    /// <summary>
    /// The first of the sequences reserved for a new connection to store its deliveries under: above every record of
    /// this session and every range handed out before (a connection taken over may still be writing in its own).
    /// </summary>
    public long ReserveRange()
    {
        var first = Math.Max(_nextRange, ((_back / SessionQueue.RangeSize) + 1) * SessionQueue.RangeSize);
        _nextRange = first + SessionQueue.RangeSize;
        return first;
    }

    /// <summary>The first sequence this session queues under itself while a connection serves it (the records below were handed over).</summary>
    public long OwnedFrom { get; private set; }

    /// <summary>The first sequence of the range the current connection stores under; 0 when it stores nothing.</summary>
    public long ConnectionRange { get; private set; }

    /// <summary>
    /// A connection takes the session (after <see cref="TakePending"/> handed it the queue): what this session queues
    /// from now on goes in a range of its own (above every record and every range handed out before, so none of an
    /// older connection's records, which a takeover hands back later, looks like its own), and with
    /// <paramref name="stores"/> the connection gets the range after it; returns that one's first sequence, or 0.
    /// </summary>
    public long AttachConnection(bool stores)
    {
        OwnedFrom = ReserveRange();
        _back = Math.Max(_back, OwnedFrom - 1);
        ConnectionRange = stores ? ReserveRange() : 0;
        return ConnectionRange;
    }

    /// <summary>Loading a session whose connection still serves it: as <see cref="AttachConnection"/> left it.</summary>
    public void Attach(long ownedFrom, long range)
    {
        OwnedFrom = ownedFrom;
        ConnectionRange = range;
        _back = Math.Max(_back, ownedFrom - 1);
        _nextRange = Math.Max(_nextRange, Math.Max(ownedFrom, range) + SessionQueue.RangeSize);
    }

    /// <summary>The connection let go of the session.</summary>
    public void Detach()
    {
        OwnedFrom = 0;
        ConnectionRange = 0;
    }

    /// <summary>Whether the queue record <paramref name="key"/> is this session's own while a connection serves it (see <see cref="Attach"/>).</summary>
    public bool OwnsRecord(string key)
    {
        var sequence = SessionQueue.SequenceOf(QueueKeyPrefix!, key);
        return sequence >= OwnedFrom && sequence < OwnedFrom + SessionQueue.RangeSize;
    }

    /// <summary>A message that will not be queued: its record goes, if a connection had stored it.</summary>
    public PendingMessage Refused(PendingMessage message)
    {
        if (message.StoreSequence != 0 && QueueKeyPrefix is not null)
        {
            Changes?.Delete(SessionQueue.Space, SessionQueue.Key(QueueKeyPrefix, message.StoreSequence));
        }

        return message;
    }

    private LinkedListNode<PendingMessage>? OldestNotInFlight(bool qos0Only)
    {
        for (var node = Queue.First; node is not null; node = node.Next)
        {
            if (node.Value.PacketId == 0 && (!qos0Only || node.Value.QoS == 0))
            {
                return node;
            }
        }

        return null;
    }

    /// <summary>
    /// Everything the session owes, oldest first, emptying the queue and deleting its records (the session is ending).
    /// QoS 2 messages whose PUBREL was sent are not owed: they were delivered.
    /// </summary>
    public PendingMessage[] TakeOwed()
    {
        var owed = new List<PendingMessage>(Queue.Count);
        foreach (var message in Queue)
        {
            if (!message.Released)
            {
                owed.Add(message);
            }
        }

        ClearQueue();
        return [.. owed];
    }

    /// <summary>Whether a queue entry holds record <paramref name="sequence"/>.</summary>
    public bool Holds(long sequence) => _sequences.ContainsValue(sequence);

    /// <summary>
    /// <paramref name="message"/> was loaded from the record of a connection that ended with its node, without handing
    /// the session back: a delivery that may have reached that connection is known as this one by its message id
    /// (<see cref="HasRecovered"/>), even once its client acknowledged it and the record went.
    /// </summary>
    public void RecoveredMessage(PendingMessage message)
    {
        if (message.Message.MessageId != Guid.Empty)
        {
            (_recoveredIds ??= []).Add(DeliveryKey(message));
        }
    }

    /// <summary>Forgets the ids <see cref="RecoveredMessage"/> remembered (after the window in which they can matter).</summary>
    public void ForgetRecovered() => _recoveredIds = null;

    /// <summary>
    /// What makes a delivery of a message to this session one copy: the message id, and the shared subscription (group
    /// and filter) it came through, since a client subscribed to a topic several ways gets a copy each way.
    /// </summary>
    public static (Guid, string?, string?) DeliveryKey(PendingMessage message) =>
        (message.Message.MessageId, message.ShareGroup, message.ShareFilter);

    /// <summary>Whether two owed messages are the same delivery: the same record when stored, else the same <see cref="DeliveryKey"/>.</summary>
    public static bool SameDelivery(PendingMessage a, PendingMessage b) =>
        a.StoreSequence != 0 || b.StoreSequence != 0 ? a.StoreSequence == b.StoreSequence : DeliveryKey(a) == DeliveryKey(b);

    /// <summary>
    /// Whether <paramref name="message"/> (by <see cref="DeliveryKey"/>) was loaded from a dead connection's records
    /// (<see cref="RecoveredMessage"/>) lately.
    /// </summary>
    public bool HasRecovered(PendingMessage message) =>
        message.Message.MessageId != Guid.Empty && _recoveredIds?.Contains(DeliveryKey(message)) == true;

    /// <summary>Whether any message was loaded from a dead connection's records in this activation.</summary>
    public bool RecoveredAny => _recoveredIds is { Count: > 0 };

    /// <summary>Puts a stored queue entry back at the end of the queue (loading); its sequence is parsed from its key.</summary>
    /// <exception cref="StorageException">Kind Corrupt: the key is not one of this session's queue keys.</exception>
    public void Restore(string key, PendingMessage message)
    {
        var sequence = SessionQueue.SequenceOf(QueueKeyPrefix!, key);
        Queue.AddLast(message);
        _sequences[message] = sequence;
        _front = Math.Min(_front, sequence);
        _back = Math.Max(_back, sequence);
    }

    private void ClearQueue()
    {
        foreach (var message in Queue)
        {
            Unstored(message);
        }

        Queue.Clear();
    }

    private void Stored(PendingMessage message, bool front)
    {
        if (QueueKeyPrefix is null)
        {
            return;
        }

        if (message.StoreSequence != 0)
        {
            // Stored by a connection: the record is there (its packet id may be older; a resend after a restart takes
            // a new one).
            _sequences[message] = message.StoreSequence;
            _back = Math.Max(_back, message.StoreSequence);
            return;
        }

        var sequence = front ? --_front : ++_back;
        _sequences[message] = sequence;
        Changes?.Put(SessionQueue.Space, SessionQueue.Key(QueueKeyPrefix, sequence), PendingRecord.Encode(message));
    }

    private void Unstored(PendingMessage message)
    {
        if (_sequences.Remove(message, out var sequence))
        {
            Changes?.Delete(SessionQueue.Space, SessionQueue.Key(QueueKeyPrefix!, sequence));
        }
    }
}
