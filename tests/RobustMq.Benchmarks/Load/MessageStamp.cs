using System.Buffers.Binary;

namespace RobustMq.Benchmarks.Load;

/// <summary>
/// The first bytes of every load payload: send time (<see cref="System.Diagnostics.Stopwatch"/> ticks of this
/// process), publisher index and that publisher's sequence number. The rest of the payload is zeros.
/// </summary>
public readonly record struct MessageStamp(long Timestamp, int Publisher, int Sequence)
{
    public const int Size = 16;

    public void Write(Span<byte> payload)
    {
        BinaryPrimitives.WriteInt64LittleEndian(payload, Timestamp);
        BinaryPrimitives.WriteInt32LittleEndian(payload[8..], Publisher);
        BinaryPrimitives.WriteInt32LittleEndian(payload[12..], Sequence);
    }

    /// <summary>False for a payload too short to carry a stamp (not one of ours).</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out MessageStamp stamp)
    {
        if (payload.Length < Size)
        {
            stamp = default;
            return false;
        }

        stamp = new MessageStamp(
            BinaryPrimitives.ReadInt64LittleEndian(payload),
            BinaryPrimitives.ReadInt32LittleEndian(payload[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(payload[12..]));
        return true;
    }
}
