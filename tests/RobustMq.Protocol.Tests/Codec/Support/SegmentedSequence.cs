using System.Buffers;

namespace RobustMq.Protocol.Tests.Codec.Support;

/// <summary>Builds a multi-segment <see cref="ReadOnlySequence{T}"/>, the way a socket pipe hands data over.</summary>
internal static class SegmentedSequence
{
    /// <summary>Splits <paramref name="data"/> at <paramref name="cuts"/> (positions 0..length; duplicates give empty segments).</summary>
    public static ReadOnlySequence<byte> Create(byte[] data, IEnumerable<int> cuts)
    {
        var positions = cuts.Select(c => Math.Clamp(c, 0, data.Length)).Order().ToList();
        positions.Add(data.Length);
        Segment? first = null;
        Segment? last = null;
        var start = 0;
        foreach (var end in positions)
        {
            // Each segment gets its own array so no segment can read past its end into the next one.
            var memory = data.AsSpan(start, end - start).ToArray();
            if (last is null)
            {
                first = last = new Segment(memory, 0);
            }
            else
            {
                last = last.Append(memory);
            }

            start = end;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    /// <summary>One segment per byte: the worst case for the split path.</summary>
    public static ReadOnlySequence<byte> ByteByByte(byte[] data) => Create(data, Enumerable.Range(1, Math.Max(0, data.Length - 1)));

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
