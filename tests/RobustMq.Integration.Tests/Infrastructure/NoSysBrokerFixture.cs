namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>A broker that publishes no <c>$SYS</c> topics, so its message counters move only with what a test does.</summary>
public sealed class NoSysBrokerFixture : BrokerFixture
{
    protected override IEnumerable<string> ExtraArguments => ["--Sys:IntervalSeconds=0"];
}
