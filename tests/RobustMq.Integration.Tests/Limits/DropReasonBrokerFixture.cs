using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Limits;

/// <summary>A broker with session queues of 3 messages and no <c>$SYS</c> topics, so drop counters move only with a test.</summary>
public sealed class DropReasonBrokerFixture : BrokerFixture
{
    public const int MaxQueuedMessages = 3;

    protected override IEnumerable<string> ExtraArguments => ["--Sys:IntervalSeconds=0", $"--Mqtt:MaxQueuedMessages={MaxQueuedMessages}"];
}
