using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Admin;

/// <summary>
/// A broker whose alarms are checked every second with a memory watermark of 1 percent (so
/// <c>high_system_memory_usage</c> is raised at once), whose session queues hold 10 messages without back-pressure (so a
/// client that does not read loses messages: <c>queue_limit_hit</c>), whose trace files are small, and who keeps at most
/// 6 traces (the tests of a class run one at a time, each deleting its traces).
/// </summary>
public sealed class OpsBrokerFixture : BrokerFixture
{
    protected override IEnumerable<string> ExtraArguments =>
    [
        "--Alarms:CheckIntervalSeconds=1", "--Alarms:MemoryHighWatermark=1", "--Alarms:MemoryLowWatermark=0.5",
        "--Mqtt:MaxQueuedMessages=10", "--Mqtt:BackPressureTimeoutMs=0",
        "--Trace:MaxFileBytes=1048576", "--Trace:MaxTraces=6",
    ];
}
