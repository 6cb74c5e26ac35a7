using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Limits;

/// <summary>A broker whose per-connection queues hold 10 messages and whose publishers wait 2 s at most for a slow subscriber.</summary>
public sealed class BackPressureBrokerFixture : BrokerFixture
{
    public const int MaxQueuedMessages = 10;
    public const int BackPressureTimeoutMs = 2000;

    protected override IEnumerable<string> ExtraArguments =>
    [
        $"--Mqtt:MaxQueuedMessages={MaxQueuedMessages}",
        $"--Mqtt:BackPressureTimeoutMs={BackPressureTimeoutMs}",
    ];
}
