using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RobustMq.Abstractions.Metrics;

namespace RobustMq.Gateway.Metrics;

/// <summary>
/// A log line for dropped messages that a flood of drops cannot turn into a flood of lines: per reason, the first drop
/// is logged at once, later ones are added up and logged with the next drop after <see cref="Interval"/> (10 s), as one
/// line with their count. Drops that mean loss under load or failure (<see cref="DropReasons.QueueFull"/>,
/// <see cref="DropReasons.NotStored"/>, <see cref="DropReasons.NodeUnreachable"/>, <see cref="DropReasons.HandOnLimit"/>,
/// <see cref="DropReasons.PacketTooLarge"/>) are warnings; the others, part of normal operation (expired, no
/// subscriber, not authorized...), are debug lines. <c>robustmq_messages_dropped_total</c> counts every one.
/// </summary>
public sealed partial class DropLog(ILogger logger, TimeProvider clock)
{
    /// <summary>At most one line per reason in this time.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Notes <paramref name="count"/> drops for <paramref name="reason"/>; logs them now or with a later drop.</summary>
    public void Note(string reason, long count)
    {
        var warning = IsWarning(reason);
        if (count <= 0 || !logger.IsEnabled(warning ? LogLevel.Warning : LogLevel.Debug))
        {
            return;
        }

        var entry = _entries.GetOrAdd(reason, static _ => new Entry());
        Interlocked.Add(ref entry.Pending, count);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var due = Volatile.Read(ref entry.DueAt);
        if (now < due || Interlocked.CompareExchange(ref entry.DueAt, now + (long)Interval.TotalMilliseconds, due) != due)
        {
            return;
        }

        var dropped = Interlocked.Exchange(ref entry.Pending, 0);
        if (dropped == 0)
        {
            return;
        }

        if (warning)
        {
            LogDroppedWarning(logger, dropped, reason);
        }
        else
        {
            LogDroppedDebug(logger, dropped, reason);
        }
    }

    private static bool IsWarning(string reason) =>
        reason is DropReasons.QueueFull or DropReasons.NotStored or DropReasons.NodeUnreachable or DropReasons.HandOnLimit or DropReasons.PacketTooLarge;

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "{Count} message(s) dropped: {Reason} (at most one line per reason every 10 s; robustmq_messages_dropped_total counts each)")]
    private static partial void LogDroppedWarning(ILogger logger, long count, string reason);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Debug, Message = "{Count} message(s) dropped: {Reason} (at most one line per reason every 10 s; robustmq_messages_dropped_total counts each)")]
    private static partial void LogDroppedDebug(ILogger logger, long count, string reason);

    private sealed class Entry
    {
        public long Pending;
        public long DueAt;
    }
}
