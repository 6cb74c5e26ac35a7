namespace RobustMq.Storage;

/// <summary>
/// Finding offsets in a shard by what its records say, for any <see cref="IStorageEngine"/> (Kafka's
/// <c>offsetsForTimes</c>, RobustMQ's <c>offset by-timestamp</c>).
/// </summary>
public static class ShardSeek
{
    /// <summary>
    /// The first offset of <paramref name="shard"/> whose record's timestamp (Unix ms, as appended) is at or after
    /// <paramref name="timestampUnixMs"/>; null when no kept record is that late (or the shard does not exist).
    /// A binary search over <see cref="IStorageEngine.ReadAsync"/>, one record per probe (about log2 of the record
    /// count reads): it takes the timestamps as non-decreasing with the offsets, which appends stamped with the time
    /// of the append are; where a clock went back it gives an offset at which the timestamps cross the time.
    /// </summary>
    public static async ValueTask<long?> FirstAtOrAfterAsync(IStorageEngine engine, string shard, long timestampUnixMs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var bounds = await engine.GetBoundsAsync(shard, cancellationToken).ConfigureAwait(false);
        var low = bounds.Low;
        var high = bounds.Next;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            var records = await engine.ReadAsync(shard, middle, 1, cancellationToken).ConfigureAwait(false);
            if (records.Count == 0)
            {
                // Deleted meanwhile: nothing is kept any more.
                return null;
            }

            // A trim meanwhile may have moved the shard's start past the probe: the read gives its first record then,
            // and nothing below it is kept any more. Each turn either lowers high below the old one or raises low.
            var record = records[0];
            if (record.Offset > middle)
            {
                // Nothing below the record is kept: go on from it (low only grows, so the search ends), and past the
                // old high when the record that set it was trimmed too.
                low = record.Offset;
                if (high <= low)
                {
                    high = bounds.Next;
                }
            }

            if (record.TimestampUnixMs >= timestampUnixMs)
            {
                high = record.Offset;
            }
            else
            {
                low = record.Offset + 1;
            }
        }

        return low < bounds.Next ? low : null;
    }
}
