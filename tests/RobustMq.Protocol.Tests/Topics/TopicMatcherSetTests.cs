using RobustMq.Protocol.Topics;

namespace RobustMq.Protocol.Tests.Topics;

public sealed class TopicMatcherSetTests
{
    [Theory]
    [InlineData("a/b", "a/b")]
    [InlineData("a/b", "a/+")]
    [InlineData("a/+", "a/#")]
    [InlineData("a/b/c", "a/#")]
    [InlineData("a", "a/#")]
    [InlineData("a/+", "+/+")]
    [InlineData("a/#", "#")]
    [InlineData("#", "+/#")]
    [InlineData("/#", "/+/#")]
    [InlineData("$SYS/#", "$SYS/#")]
    [InlineData("$SYS/a", "$SYS/+")]
    public void Filter_is_a_subset_when_the_other_matches_all_its_topics(string filter, string ofFilter)
        => Assert.True(TopicMatcher.IsSubsetOf(filter, ofFilter));

    [Theory]
    [InlineData("a/#", "a/+")]
    [InlineData("a/+", "a/b")]
    [InlineData("a/#", "a/+/#")]
    [InlineData("a/b", "a")]
    [InlineData("a", "a/+")]
    [InlineData("#", "a/#")]
    [InlineData("+/+", "a/+")]
    public void Filter_is_not_a_subset_when_it_matches_a_topic_the_other_does_not(string filter, string ofFilter)
        => Assert.False(TopicMatcher.IsSubsetOf(filter, ofFilter));

    [Theory]
    [InlineData("$SYS/a", "#")]
    [InlineData("$SYS/a", "+/a")]
    public void Dollar_filter_is_not_a_subset_of_a_leading_wildcard(string filter, string ofFilter)
        => Assert.False(TopicMatcher.IsSubsetOf(filter, ofFilter));

    [Theory]
    [InlineData("#", "secret/#")]
    [InlineData("+/x", "a/+")]
    [InlineData("a/b", "a/b")]
    [InlineData("a", "a/#")]
    [InlineData("a/+/c", "+/b/#")]
    public void Filters_overlap_when_some_topic_matches_both(string filter, string otherFilter)
        => Assert.True(TopicMatcher.Overlaps(filter, otherFilter));

    [Theory]
    [InlineData("a/b", "a/c")]
    [InlineData("a/+", "a")]
    [InlineData("a/+/c", "a/+")]
    [InlineData("#", "$SYS/#")]
    [InlineData("+/x", "$SYS/x")]
    [InlineData("+", "/#")]
    public void Filters_do_not_overlap_when_no_topic_matches_both(string filter, string otherFilter)
        => Assert.False(TopicMatcher.Overlaps(filter, otherFilter));
}
