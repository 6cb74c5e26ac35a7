using RobustMq.Protocol.Topics;

namespace RobustMq.Protocol.Tests.Topics;

public sealed class SharedSubscriptionTests
{
    [Fact]
    public void Shared_filter_splits_into_group_and_inner_filter()
    {
        Assert.True(SharedSubscription.TryParse("$share/workers/jobs/+/new", out var shared));
        Assert.Equal(new SharedSubscription("workers", "jobs/+/new"), shared);
    }

    [Fact]
    public void Inner_filter_may_be_a_lone_hash()
    {
        Assert.True(SharedSubscription.TryParse("$share/g/#", out var shared));
        Assert.Equal("#", shared.Filter);
    }

    [Theory]
    [InlineData("$share/g/a", true)]
    [InlineData("$share/", true)]
    [InlineData("$sharex/g/a", false)]
    [InlineData("$SHARE/g/a", false)]
    [InlineData("share/g/a", false)]
    [InlineData("a/$share/g/a", false)]
    public void Is_shared_only_with_the_exact_prefix(string filter, bool expected) => Assert.Equal(expected, SharedSubscription.IsShared(filter));

    [Fact]
    public void Plain_filter_does_not_parse_as_shared() => Assert.False(SharedSubscription.TryParse("a/b", out _));

    [Fact]
    public void Empty_group_is_rejected() => Assert.False(SharedSubscription.TryParse("$share//a", out _));

    [Theory]
    [InlineData("$share/g+/a")]
    [InlineData("$share/+/a")]
    [InlineData("$share/#/a")]
    [InlineData("$share/g#x/a")]
    public void Group_with_a_wildcard_is_rejected(string filter) => Assert.False(SharedSubscription.TryParse(filter, out _));

    [Theory]
    [InlineData("$share/g")]
    [InlineData("$share/g/")]
    [InlineData("$share/")]
    public void Shared_filter_without_an_inner_filter_is_rejected(string filter) => Assert.False(SharedSubscription.TryParse(filter, out _));

    [Theory]
    [InlineData("$share/g/a#")]
    [InlineData("$share/g/#/a")]
    public void Shared_filter_with_an_invalid_inner_filter_is_rejected(string filter) => Assert.False(SharedSubscription.TryParse(filter, out _));

    [Fact]
    public void To_string_rebuilds_the_shared_filter() => Assert.Equal("$share/g/a/+", new SharedSubscription("g", "a/+").ToString());
}
