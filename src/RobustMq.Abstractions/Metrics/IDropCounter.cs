namespace RobustMq.Abstractions.Metrics;

/// <summary>
/// Counts messages the broker discards (<c>robustmq_messages_dropped_total{reason}</c>). A node-local service on
/// every silo, so grains report their drops without referencing the gateway that exports the metric.
/// </summary>
public interface IDropCounter
{
    /// <summary>Count <paramref name="count"/> messages discarded for <paramref name="reason"/> (one of <see cref="DropReasons"/>).</summary>
    void Dropped(string reason, long count);
}
