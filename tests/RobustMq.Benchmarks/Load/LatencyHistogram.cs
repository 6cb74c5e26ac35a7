using System.Diagnostics;
using System.Numerics;

namespace RobustMq.Benchmarks.Load;

/// <summary>
/// A log-linear histogram of latencies in nanoseconds, HdrHistogram style: exact below 128 ns, then 64 buckets per
/// power of two (under 1.6 % relative error) up to about 18 minutes. One writer; merge several at the end.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 6;
    private const int SubBuckets = 1 << SubBucketBits;
    private const int MaxBit = 40;
    private const int BucketCount = 2 * SubBuckets + (MaxBit - SubBucketBits - 1) * SubBuckets;
    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    private long[]? _counts;

    public long Count { get; private set; }

    /// <summary>Records an interval measured in <see cref="Stopwatch"/> ticks.</summary>
    public void RecordTicks(long ticks) => RecordNanoseconds((long)(Math.Max(0, ticks) * NanosecondsPerTick));

    public void RecordNanoseconds(long nanoseconds)
    {
        _counts ??= new long[BucketCount];
        _counts[IndexOf(nanoseconds)]++;
        Count++;
    }

    public void Add(LatencyHistogram other)
    {
        if (other._counts is null)
        {
            return;
        }

        _counts ??= new long[BucketCount];
        for (var i = 0; i < BucketCount; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
    }

    /// <summary>The value at <paramref name="percentile"/> (0-100) in milliseconds; 0 when empty.</summary>
    public double PercentileMilliseconds(double percentile)
    {
        if (_counts is null || Count == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * Count));
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return MidpointOf(i) / 1e6;
            }
        }

        return MidpointOf(BucketCount - 1) / 1e6;
    }

    private static int IndexOf(long value)
    {
        var v = (ulong)Math.Min(value, (1L << MaxBit) - 1);
        if (v < 2 * SubBuckets)
        {
            return (int)v;
        }

        var shift = 63 - BitOperations.LeadingZeroCount(v) - SubBucketBits;
        return (2 * SubBuckets) + ((shift - 1) * SubBuckets) + (int)(v >> shift) - SubBuckets;
    }

    private static double MidpointOf(int index)
    {
        if (index < 2 * SubBuckets)
        {
            return index;
        }

        var shift = ((index - (2 * SubBuckets)) / SubBuckets) + 1;
        var top = ((index - (2 * SubBuckets)) % SubBuckets) + SubBuckets;
        return ((long)top << shift) + ((1L << shift) / 2.0);
    }
}
