using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Limits;

/// <summary>A broker with small limits: 1000-byte packets, QoS 1 at most, one second to send CONNECT.</summary>
public sealed class LimitsBrokerFixture : BrokerFixture
{
    public const int MaxPacketSize = 1000;

    protected override IEnumerable<string> ExtraArguments =>
    [
        $"--Mqtt:MaxPacketSize={MaxPacketSize}",
        "--Mqtt:MaximumQoS=1",
        "--Mqtt:ConnectTimeoutSeconds=1",
    ];
}
