using RobustMq.Protocol.Packets;

namespace RobustMq.Benchmarks.Load;

/// <summary>
/// What one subscriber received: count, end-to-end latency while the window is open, and per publisher the last
/// sequence number (a number not above it is a duplicate or out of order). Optionally keeps every (publisher,
/// sequence) pair, up to a cap, to count exact duplicates across the members of a shared group.
/// </summary>
public sealed class DeliveryStats : IPublishHandler
{
    /// <summary>Cap on the pairs kept per subscriber for exact duplicate counting.</summary>
    public const int MaxSeen = 4_000_000;

    private readonly MeasureWindow _window;
    private readonly FlowGate? _gate;
    private readonly int[] _lastSequence;
    private long _received;
    private long _outOfOrder;
    private long _foreign;

    public DeliveryStats(int publishers, MeasureWindow window, FlowGate? gate, bool keepSeen)
    {
        _window = window;
        _gate = gate;
        _lastSequence = new int[publishers];
        Array.Fill(_lastSequence, -1);
        Seen = keepSeen ? [] : null;
    }

    public long Received => Volatile.Read(ref _received);
    public long OutOfOrder => Volatile.Read(ref _outOfOrder);
    /// <summary>Messages without our stamp (not sent by this run).</summary>
    public long Foreign => Volatile.Read(ref _foreign);
    public LatencyHistogram Latency { get; } = new();
    /// <summary>(publisher &lt;&lt; 32 | sequence) of each message received, when asked for.</summary>
    public List<long>? Seen { get; }

    public void OnPublish(LoadClient client, PublishPacket packet, long receivedAt)
    {
        if (!MessageStamp.TryRead(packet.Payload.Span, out var stamp) || (uint)stamp.Publisher >= (uint)_lastSequence.Length)
        {
            Volatile.Write(ref _foreign, _foreign + 1);
            return;
        }

        Volatile.Write(ref _received, _received + 1);
        _gate?.OnDelivered();
        if (stamp.Sequence <= _lastSequence[stamp.Publisher])
        {
            Volatile.Write(ref _outOfOrder, _outOfOrder + 1);
        }
        else
        {
            _lastSequence[stamp.Publisher] = stamp.Sequence;
        }

        if (_window.IsOpen)
        {
            Latency.RecordTicks(receivedAt - stamp.Timestamp);
        }

        if (Seen is { Count: < MaxSeen } seen)
        {
            seen.Add(((long)stamp.Publisher << 32) | (uint)stamp.Sequence);
        }
    }
}
