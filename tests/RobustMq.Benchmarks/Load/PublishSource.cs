using System.Buffers;
using System.Diagnostics;
using RobustMq.Protocol;
using RobustMq.Protocol.Codec;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Benchmarks.Load;

/// <summary>
/// One publisher's stream of stamped messages, cycling over its topics. The client's write loop asks for the next
/// batch; QoS 1/2 keep at most <see cref="Window"/> messages unacknowledged (back-pressure from the broker's acks),
/// QoS 0 only by the socket (the flush after each batch); all of them also by the scenario's <see cref="FlowGate"/>.
/// </summary>
public sealed class PublishSource
{
    private const int Batch = 32;

    private readonly PublishPacket _packet;
    private readonly byte[] _payload;
    private readonly string[] _topics;
    private readonly int _index;
    private readonly FlowGate? _gate;
    private readonly byte[] _inUse = new byte[ushort.MaxValue + 1];
    private int _topicCursor;
    private int _nextId;
    private int _inflight;
    private long _sent;
    private long _acked;
    private long _rejected;
    private volatile bool _stopped;

    public PublishSource(int index, string[] topics, QoS qos, int payloadSize, int window, FlowGate? gate)
    {
        if (topics.Length == 0)
        {
            throw new ArgumentException("a publisher needs at least one topic", nameof(topics));
        }

        _index = index;
        _gate = gate;
        _topics = topics;
        _payload = new byte[Math.Max(payloadSize, MessageStamp.Size)];
        _packet = new PublishPacket { QoS = qos, Payload = _payload };
        Window = Math.Clamp(window, 1, ushort.MaxValue - 1);
    }

    public QoS QoS => _packet.QoS;
    public int Window { get; }
    public long Sent => Volatile.Read(ref _sent);
    /// <summary>Messages the broker accepted: PUBACK or PUBCOMP for QoS 1/2, every written one for QoS 0.</summary>
    public long Acked => QoS == QoS.AtMostOnce ? Sent : Volatile.Read(ref _acked);
    /// <summary>QoS 1/2 messages answered with a failure reason code.</summary>
    public long Rejected => Volatile.Read(ref _rejected);
    public int Inflight => Volatile.Read(ref _inflight);

    /// <summary>No new messages after this; those in flight still complete.</summary>
    public void Stop() => _stopped = true;

    /// <summary>Writes the next batch into <paramref name="output"/> (the caller flushes); returns how many.</summary>
    internal int Produce(IBufferWriter<byte> output, MqttProtocolVersion version)
    {
        if (_stopped)
        {
            return 0;
        }

        var count = Batch;
        if (QoS != QoS.AtMostOnce)
        {
            count = Math.Min(count, Window - Volatile.Read(ref _inflight));
        }

        if (count > 0 && _gate is not null)
        {
            count = _gate.Admit(count);
        }

        if (count <= 0)
        {
            return 0;
        }

        if (QoS != QoS.AtMostOnce)
        {
            // Counted before the bytes leave: no ack can arrive before the caller's flush.
            Interlocked.Add(ref _inflight, count);
        }

        for (var i = 0; i < count; i++)
        {
            new MessageStamp(Stopwatch.GetTimestamp(), _index, (int)_sent).Write(_payload);
            _packet.Topic = _topics[_topicCursor];
            _topicCursor = _topicCursor + 1 == _topics.Length ? 0 : _topicCursor + 1;
            if (QoS != QoS.AtMostOnce)
            {
                _packet.PacketId = NextFreeId();
            }

            MqttPacketWriter.WritePublish(output, _packet, version);
            Volatile.Write(ref _sent, _sent + 1);
        }

        return count;
    }

    /// <summary>PUBACK, PUBCOMP or a failed PUBREC for <paramref name="packetId"/>: frees its id and window slot.</summary>
    internal void OnCompleted(ushort packetId, ReasonCode reasonCode)
    {
        if (Volatile.Read(ref _inUse[packetId]) == 0)
        {
            return;
        }

        Volatile.Write(ref _inUse[packetId], 0);
        if ((byte)reasonCode >= 0x80)
        {
            Interlocked.Increment(ref _rejected);
        }
        else
        {
            Interlocked.Increment(ref _acked);
        }

        Interlocked.Decrement(ref _inflight);
    }

    private ushort NextFreeId()
    {
        // The window is far smaller than the id space, so a free id is always near.
        while (true)
        {
            _nextId = _nextId >= ushort.MaxValue ? 1 : _nextId + 1;
            if (Volatile.Read(ref _inUse[_nextId]) == 0)
            {
                Volatile.Write(ref _inUse[_nextId], 1);
                return (ushort)_nextId;
            }
        }
    }
}
