using RobustMq.Gateway.Hosting;

namespace RobustMq.Gateway.Ops;

/// <summary>The node's trace, slow subscriptions and alarms, bundled for the node's control grain and the admin API.</summary>
public sealed class OpsServices(TraceService trace, SlowSubscriptions slowSubs, AlarmMonitor alarms, NodeIdentity node)
{
    public TraceService Trace { get; } = trace;

    public SlowSubscriptions SlowSubs { get; } = slowSubs;

    public AlarmMonitor Alarms { get; } = alarms;

    public NodeIdentity Node { get; } = node;
}
