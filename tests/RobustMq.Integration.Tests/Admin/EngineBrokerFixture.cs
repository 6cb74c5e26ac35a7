using RobustMq.Integration.Tests.Infrastructure;

namespace RobustMq.Integration.Tests.Admin;

/// <summary>A broker (or cluster) that keeps topics under <c>seg/#</c> in the Segment backend beside its default store, so each node has two backends.</summary>
public sealed class EngineBrokerFixture : BrokerFixture
{
    protected override IEnumerable<string> ExtraArguments => ["--Storage:Topics:0:Filter=seg/#", "--Storage:Topics:0:Backend=Segment"];
}
