namespace RobustMq.Storage;

/// <summary>Where a <see cref="RetentionPolicy"/> cuts a shard: one rule for every backend.</summary>
public static class Retention
{
    /// <summary>
    /// The first offset the policy keeps of <paramref name="records"/> (oldest first, the first at offset
    /// <paramref name="low"/>): past the last when none is kept.
    /// </summary>
    public static long FirstKept(IReadOnlyList<StoredRecord> records, long low, RetentionPolicy policy, long nowUnixMs)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(policy);
        var first = 0L;
        var count = records.Count;
        if (policy.MaxRecords is { } maxRecords && count > maxRecords)
        {
            first = count - Math.Max(0, maxRecords);
        }

        if (policy.MaxAge is { } maxAge)
        {
            var oldest = nowUnixMs - (long)maxAge.TotalMilliseconds;
            while (first < count && records[(int)first].TimestampUnixMs < oldest)
            {
                first++;
            }
        }

        if (policy.MaxBytes is { } maxBytes)
        {
            long bytes = 0;
            var i = count - 1;
            while (i >= first && bytes + records[i].Value.Length <= maxBytes)
            {
                bytes += records[i].Value.Length;
                i--;
            }

            first = Math.Max(first, i + 1);
        }

        return low + first;
    }
}
