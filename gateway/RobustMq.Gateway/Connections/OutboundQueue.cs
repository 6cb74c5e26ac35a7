using RobustMq.Abstractions.Sessions;
using RobustMq.Protocol.Packets;

namespace RobustMq.Gateway.Connections;

/// <summary>
/// What a connection owes its client: control packets, deliveries not yet sent, and QoS 1/2 deliveries in
/// flight (at most the client's Receive Maximum, MQTT-4.9.0-2). Thread-safe: deliveries arrive from any
/// thread, acknowledgements from the read loop, and the write loop drains it.
/// Back-pressure: once half of <c>maxQueued</c> deliveries wait, enqueueing reports
/// <see cref="EnqueueResult.QueuedCongested"/> and publishers wait (<see cref="WaitForRoomAsync"/>) until it is
/// down to a quarter, so a client that reads slowly slows its publishers instead of losing messages. A full queue
/// drops QoS 0 deliveries; it takes QoS 1/2 ones past its limit while its publishers are held back
/// (<paramref name="holdsPublishers"/>, not stalled): publishers on other nodes have deliveries under way when they
/// learn the client is slow, and what they were acknowledged for must not be lost. A client that stalled
/// (<see cref="MarkStalled"/>), or a broker without back-pressure, loses what exceeds the limit (counted).
/// A first QoS 1/2 send leaves <see cref="Drain"/> holding a Receive Maximum slot but no packet id: the write loop
/// takes the id with <see cref="Admit"/> once the packet will be written, or gives the slot back with
/// <see cref="Forgo"/>, so a delivery that is never written uses no packet id (MQTT-3.1.2-25).
/// </summary>
internal sealed class OutboundQueue(int window, int maxQueued, bool holdsPublishers = true)
{
    private readonly int _highWater = Math.Max(1, maxQueued / 2);
    private readonly int _lowWater = Math.Max(1, maxQueued / 4);
    private TaskCompletionSource? _room;
    private bool _stalled;
    private readonly Lock _lock = new();
    private readonly Queue<OutItem> _urgent = new();
    private readonly Queue<PendingMessage> _pending = new();
    private readonly Dictionary<ushort, Inflight> _inflight = [];

    // Drained first QoS 1/2 sends the write loop has not admitted or forgone yet, in drain order.
    private readonly Queue<PendingMessage> _unadmitted = new();

    // Resumed deliveries whose packet id was taken, queued again without one: their delivery had started, so they are
    // not dropped as expired (MQTT-3.3.2-5). Created on the first such collision (rare).
    private HashSet<PendingMessage>? _started;
    // Resends queued before CONNACK (ResumeLocked), moved behind it by Release. Created when first needed.
    private Queue<OutItem>? _heldUntilRelease;
    private long _sequence;
    private ushort _lastId;
    private bool _released;
    private bool _final;
    private bool _completed;

    /// <summary>Deliveries dropped because the queue was full.</summary>
    public long Dropped { get; private set; }

    public int InflightCount
    {
        get
        {
            lock (_lock)
            {
                return _inflight.Count;
            }
        }
    }

    /// <summary>Control packets go out before deliveries, in the order given.</summary>
    public void EnqueueControl(MqttPacket packet)
    {
        lock (_lock)
        {
            _urgent.Enqueue(new OutItem(packet, null, 0, false));
        }
    }

    /// <summary>
    /// The last packet of the connection (a server DISCONNECT; null on 3.1.x, which has none): nothing is written
    /// after it (MQTT-3.14.4-1). Deliveries from now on are refused (the caller hands them to the session) and those
    /// not yet written stay for <see cref="Close"/>.
    /// </summary>
    public void EnqueueFinal(MqttPacket? packet)
    {
        lock (_lock)
        {
            if (packet is not null)
            {
                _urgent.Enqueue(new OutItem(packet, null, 0, false));
            }

            _final = true;
        }
    }

    /// <summary>Queue a delivery. <see cref="EnqueueResult.Closed"/>: the caller hands it to the session instead.</summary>
    public EnqueueResult EnqueueDelivery(PendingMessage message)
    {
        lock (_lock)
        {
            if (_completed || _final)
            {
                return EnqueueResult.Closed;
            }

            if (_pending.Count >= maxQueued && (message.QoS == 0 || _stalled || !holdsPublishers))
            {
                Dropped++;
                return EnqueueResult.DroppedQueueFull;
            }

            _pending.Enqueue(message);
            return _pending.Count >= _highWater && !_stalled ? EnqueueResult.QueuedCongested : EnqueueResult.Queued;
        }
    }

    /// <summary>Completes once the waiting deliveries are down to a quarter of the limit, or the queue closed.</summary>
    public Task WaitForRoomAsync()
    {
        lock (_lock)
        {
            if (_completed || _stalled || _pending.Count < _lowWater)
            {
                return Task.CompletedTask;
            }

            return (_room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    /// <summary>
    /// A publisher waited too long: this client is not draining, so it stops holding publishers back until
    /// it catches up; beyond the limit its deliveries are dropped (and counted).
    /// </summary>
    public void MarkStalled()
    {
        TaskCompletionSource? room;
        lock (_lock)
        {
            _stalled = true;
            room = _room;
            _room = null;
        }

        room?.TrySetResult();
    }

    /// <summary>
    /// Messages handed on from a connection of this session that was taken over: unacknowledged deliveries go out
    /// again with DUP and their packet ids (MQTT-4.4.0-1), the rest in order. False once the queue is final or closed:
    /// the caller keeps them.
    /// </summary>
    public bool Resume(PendingMessage[] pending, ushort[] pendingPubRel)
    {
        lock (_lock)
        {
            if (_completed || _final)
            {
                return false;
            }

            ResumeLocked(pending, pendingPubRel, send: true);
        }

        return true;
    }

    /// <summary>
    /// Resume a session at CONNECT: unacknowledged deliveries go out again with DUP and their packet ids, PUBREL is
    /// resent for QoS 2 deliveries that got PUBREC (MQTT-4.4.0-1), then the rest in order. The session grain gave
    /// them up to this connection, so none is lost: when the server closed the connection meanwhile (final, a
    /// shutdown or a second takeover) they are kept unsent for <see cref="Close"/>, which hands them back.
    /// </summary>
    public void ResumeSession(PendingMessage[] pending, ushort[] pendingPubRel)
    {
        lock (_lock)
        {
            // Close runs only after the read loop, which awaits the CONNECT: never completed here.
            ResumeLocked(pending, pendingPubRel, send: !_final);
        }
    }

    private void ResumeLocked(PendingMessage[] pending, ushort[] pendingPubRel, bool send)
    {
        // Before CONNACK is queued (a takeover hands the old connection's messages on while this one still attaches),
        // resends wait for it: nothing may precede the CONNACK (MQTT-3.2.0-1).
        var urgent = _released ? _urgent : (_heldUntilRelease ??= new Queue<OutItem>());
        foreach (var id in pendingPubRel)
        {
            _inflight[id] = new Inflight(null, _sequence++);
            if (send)
            {
                urgent.Enqueue(new OutItem(new PubRelPacket { PacketId = id }, null, 0, false));
            }
        }

        foreach (var message in pending)
        {
            if (message.Released)
            {
                // A stored QoS 2 delivery whose PUBREL was sent: PUBREL again, kept until PUBCOMP (its record goes then).
                _inflight[message.PacketId] = new Inflight(message, _sequence++);
                if (send)
                {
                    urgent.Enqueue(new OutItem(new PubRelPacket { PacketId = message.PacketId }, null, 0, false));
                }

                continue;
            }

            if (message.PacketId != 0 && message.QoS > 0 && !_inflight.ContainsKey(message.PacketId))
            {
                _inflight[message.PacketId] = new Inflight(message, _sequence++);
                if (send)
                {
                    urgent.Enqueue(new OutItem(null, message, message.PacketId, true));
                }
            }
            else
            {
                var requeued = message with { PacketId = 0 };
                if (message.PacketId != 0 && message.QoS > 0)
                {
                    // Its id is taken: it goes out again with a new one, but its delivery had started.
                    (_started ??= new HashSet<PendingMessage>(ReferenceEqualityComparer.Instance)).Add(requeued);
                }

                _pending.Enqueue(requeued);
            }
        }
    }

    /// <summary>
    /// Before <see cref="Release"/>: takes the deliveries queued so far (arrived while the session was being attached,
    /// through routes decided for the session as it was before this CONNECT), for the connection to check.
    /// </summary>
    public PendingMessage[] TakeQueued()
    {
        lock (_lock)
        {
            if (_pending.Count == 0)
            {
                return [];
            }

            PendingMessage[] taken = [.. _pending];
            _pending.Clear();
            _started = null;
            return taken;
        }
    }

    /// <summary>Deliveries may flow once CONNACK is queued (nothing may precede it); resends held for it follow it.</summary>
    public void Release()
    {
        lock (_lock)
        {
            _released = true;
            if (_heldUntilRelease is { } held)
            {
                while (held.TryDequeue(out var item))
                {
                    _urgent.Enqueue(item);
                }

                _heldUntilRelease = null;
            }
        }
    }

    /// <summary>
    /// Take everything that may be written now. A delivery not yet started whose Message Expiry Interval has passed
    /// at <paramref name="nowUnixMs"/> is discarded instead (MQTT-3.3.2-5), QoS 1 and 2 alike; returns how many, and
    /// adds those that were stored to <paramref name="expiredStored"/> (their records go).
    /// </summary>
    public int Drain(List<OutItem> batch, long nowUnixMs, ref List<PendingMessage>? expiredStored)
    {
        var expired = 0;
        TaskCompletionSource? room = null;
        lock (_lock)
        {
            // Before CONNACK is queued only control packets may go (a CONNACK refusing the client).
            while (_urgent.Count > 0 && (_released || _urgent.Peek().Control is not null))
            {
                batch.Add(_urgent.Dequeue());
            }

            if (!_released || _final)
            {
                return 0;
            }

            while (_pending.Count > 0)
            {
                var next = _pending.Peek();
                var started = _started is not null && _started.Contains(next);
                if (!started && next.Message.IsExpired(nowUnixMs))
                {
                    _pending.Dequeue();
                    expired++;
                    if (next.StoreSequence != 0)
                    {
                        (expiredStored ??= []).Add(next);
                    }

                    continue;
                }

                if (next.QoS == 0)
                {
                    batch.Add(new OutItem(null, _pending.Dequeue(), 0, false));
                    continue;
                }

                if (_inflight.Count + _unadmitted.Count >= window)
                {
                    break;
                }

                var message = _pending.Dequeue();
                if (started)
                {
                    _started!.Remove(message);
                }

                _unadmitted.Enqueue(message);
                batch.Add(new OutItem(null, message, 0, false, started));
            }

            if (_pending.Count < _lowWater)
            {
                _stalled = false;
                room = _room;
                _room = null;
            }
        }

        room?.TrySetResult();
        return expired;
    }

    /// <summary>
    /// The client left the shared subscription <c>$share/{group}/{filter}</c>: its deliveries through it that were not
    /// sent yet are taken out (for another member of the group). Those in flight stay: their delivery is completed
    /// with this client (MQTT-3.10.4-3).
    /// </summary>
    public PendingMessage[] TakeUnsent(string group, string filter)
    {
        lock (_lock)
        {
            List<PendingMessage>? taken = null;
            var count = _pending.Count;
            for (var i = 0; i < count; i++)
            {
                var message = _pending.Dequeue();
                if (message.ShareGroup == group && message.ShareFilter == filter)
                {
                    (taken ??= []).Add(message);
                    _started?.Remove(message);
                }
                else
                {
                    _pending.Enqueue(message);
                }
            }

            return taken is null ? [] : [.. taken];
        }
    }

    /// <summary>
    /// The oldest drained first QoS 1/2 send will be written: it takes a packet id and goes in flight. Returns the id,
    /// or 0 when the queue was closed meanwhile (<see cref="Close"/> handed the delivery back; it is not written).
    /// </summary>
    public ushort Admit()
    {
        lock (_lock)
        {
            if (!_unadmitted.TryDequeue(out var message))
            {
                return 0;
            }

            var id = NextId();
            _inflight[id] = new Inflight(message, _sequence++);
            return id;
        }
    }

    /// <summary>
    /// The oldest drained first QoS 1/2 send will not be written (expired, too large): its slot is free again. False
    /// when the queue was closed meanwhile (<see cref="Close"/> handed the delivery back to the session, which owns it).
    /// </summary>
    public bool Forgo(out PendingMessage? forgone)
    {
        lock (_lock)
        {
            return _unadmitted.TryDequeue(out forgone);
        }
    }

    /// <summary>
    /// PUBACK (QoS 1) or PUBCOMP (QoS 2) ends a delivery; false when the id was not in flight. <paramref name="completed"/>:
    /// the delivery, when it was kept (a stored one, whose record goes now).
    /// </summary>
    public bool Complete(ushort packetId, out PendingMessage? completed) => Complete(packetId, out completed, out _);

    /// <summary>
    /// As <see cref="Complete(ushort, out PendingMessage?)"/>; <paramref name="acknowledged"/>: the message's topic and
    /// arrival (<see cref="RobustMq.Abstractions.Messages.BrokerMessage.ArrivedAtUnixMs"/>, 0 when not known), kept
    /// past PUBREC, for slow subscriptions.
    /// </summary>
    public bool Complete(ushort packetId, out PendingMessage? completed, out (string? Topic, long ArrivedAtUnixMs) acknowledged)
    {
        lock (_lock)
        {
            var removed = _inflight.Remove(packetId, out var entry);
            completed = entry.Message;
            acknowledged = entry.Message is { RetainFlag: false } m ? (m.Message.Topic, m.Message.ArrivedAtUnixMs) : (entry.Topic, entry.ArrivedAtUnixMs);
            return removed;
        }
    }

    /// <summary>
    /// PUBREC: the message is acknowledged; the id stays in flight until PUBCOMP. A stored delivery stays too, marked
    /// <see cref="PendingMessage.Released"/> and returned in <paramref name="released"/> (its record is stored so); any
    /// other is let go.
    /// </summary>
    public bool Received(ushort packetId, out PendingMessage? released)
    {
        lock (_lock)
        {
            released = null;
            if (!_inflight.TryGetValue(packetId, out var entry))
            {
                return false;
            }

            if (entry.Message is { StoreSequence: not 0, Released: false } stored)
            {
                released = stored with { PacketId = packetId, Released = true, HandedOn = false };
            }

            // The topic and arrival stay for slow subscriptions (measured at PUBCOMP); a retained one is not measured.
            _inflight[packetId] = entry.Message is { RetainFlag: false } acknowledged
                ? entry with { Message = released ?? (entry.Message is { Released: true } ? entry.Message : null), Topic = acknowledged.Message.Topic, ArrivedAtUnixMs = acknowledged.Message.ArrivedAtUnixMs }
                : entry with { Message = released ?? (entry.Message is { Released: true } ? entry.Message : null) };
            return true;
        }
    }

    /// <summary>
    /// A resent delivery that could not be written (too large for the client) frees its slot and id; false when it was
    /// no longer in flight (closed meanwhile and handed back). <paramref name="abandoned"/> as for <see cref="Complete"/>.
    /// </summary>
    public bool Abandon(ushort packetId, out PendingMessage? abandoned) => Complete(packetId, out abandoned);

    /// <summary>
    /// Stop taking deliveries; return what the client still owes acknowledgements for, in send order, and what was never
    /// sent; QoS 2 packet ids awaiting PUBCOMP come back as ids, or as released deliveries for stored ones.
    /// </summary>
    public (PendingMessage[] Unacknowledged, ushort[] PendingPubRel) Close()
    {
        TaskCompletionSource? room;
        PendingMessage[] unacknowledged;
        ushort[] pendingPubRel;
        lock (_lock)
        {
            _completed = true;
            room = _room;
            _room = null;
            var inflight = new List<KeyValuePair<ushort, Inflight>>(_inflight);
            inflight.Sort(static (a, b) => a.Value.Sequence.CompareTo(b.Value.Sequence));
            var unacked = new List<PendingMessage>(inflight.Count + _unadmitted.Count + _pending.Count);
            var pubrel = new List<ushort>();
            foreach (var (id, entry) in inflight)
            {
                if (entry.Message is null)
                {
                    pubrel.Add(id);
                }
                else
                {
                    // A stored delivery whose PUBREL was sent comes back marked Released, with its record.
                    unacked.Add(entry.Message.PacketId == id ? entry.Message : entry.Message with { PacketId = id });
                }
            }

            // Resends not yet written are in flight and returned above; one whose id is no longer in flight was
            // acknowledged (PUBACK, PUBCOMP) or abandoned meanwhile, and must not be delivered again.
            _urgent.Clear();
            _heldUntilRelease = null;

            unacked.AddRange(_unadmitted);
            _unadmitted.Clear();
            unacked.AddRange(_pending);
            _pending.Clear();
            _inflight.Clear();
            _started = null;
            unacknowledged = [.. unacked];
            pendingPubRel = [.. pubrel];
        }

        room?.TrySetResult();
        return (unacknowledged, pendingPubRel);
    }

    private ushort NextId()
    {
        do
        {
            _lastId = _lastId == ushort.MaxValue ? (ushort)1 : (ushort)(_lastId + 1);
        }
        while (_inflight.ContainsKey(_lastId));

        return _lastId;
    }

    internal enum EnqueueResult
    {
        Queued,

        /// <summary>Queued, and the queue is half full: the publisher should wait for room.</summary>
        QueuedCongested,
        DroppedQueueFull,
        Closed,
    }

    private readonly record struct Inflight(PendingMessage? Message, long Sequence, string? Topic = null, long ArrivedAtUnixMs = 0);
}
