using RobustMq.Protocol.Topics;

namespace RobustMq.Protocol.Tests.Topics;

public sealed class TopicMatcherTests
{
    [Fact]
    public void Filter_without_wildcards_matches_the_same_topic() => Assert.True(TopicMatcher.Matches("a/b/c", "a/b/c"));

    [Theory]
    [InlineData("a/b/c", "a/b/d")]
    [InlineData("a/b", "a/b/c")]
    [InlineData("a/b/c", "a/b")]
    [InlineData("a", "a/")]
    public void Filter_without_wildcards_does_not_match_another_topic(string filter, string topic) => Assert.False(TopicMatcher.Matches(filter, topic));

    [Fact]
    public void Levels_are_compared_case_sensitively() => Assert.False(TopicMatcher.Matches("Sport/Tennis", "sport/tennis"));

    [Theory]
    [InlineData("sport/+", "sport/tennis")]
    [InlineData("+/tennis", "sport/tennis")]
    [InlineData("+/+", "sport/tennis")]
    [InlineData("+", "sport")]
    [InlineData("sport/+/player1", "sport/tennis/player1")]
    public void Plus_matches_exactly_one_level(string filter, string topic) => Assert.True(TopicMatcher.Matches(filter, topic));

    [Theory]
    [InlineData("sport/+", "sport/tennis/player1")]
    [InlineData("+", "sport/tennis")]
    public void Plus_does_not_match_more_than_one_level(string filter, string topic) => Assert.False(TopicMatcher.Matches(filter, topic));

    [Theory]
    [InlineData("+/+", "/finance")]
    [InlineData("/+", "/finance")]
    [InlineData("sport/+", "sport/")]
    [InlineData("a/+/b", "a//b")]
    [InlineData("+", "")]
    public void Plus_matches_an_empty_level(string filter, string topic) => Assert.True(TopicMatcher.Matches(filter, topic));

    [Fact]
    public void Plus_does_not_match_a_missing_level() => Assert.False(TopicMatcher.Matches("sport/+", "sport"));

    [Fact]
    public void Hash_matches_the_parent_level() => Assert.True(TopicMatcher.Matches("sport/#", "sport"));

    [Theory]
    [InlineData("sport/#", "sport/tennis")]
    [InlineData("sport/#", "sport/tennis/player1/ranking")]
    [InlineData("sport/#", "sport/")]
    [InlineData("sport/tennis/#", "sport/tennis/player1")]
    public void Hash_matches_any_number_of_child_levels(string filter, string topic) => Assert.True(TopicMatcher.Matches(filter, topic));

    [Fact]
    public void Hash_does_not_match_a_sibling_with_the_same_prefix() => Assert.False(TopicMatcher.Matches("sport/#", "sports"));

    [Theory]
    [InlineData("a")]
    [InlineData("a/b/c")]
    [InlineData("/")]
    public void Lone_hash_matches_every_topic_not_starting_with_dollar(string topic) => Assert.True(TopicMatcher.Matches("#", topic));

    [Theory]
    [InlineData("#", "$SYS/broker/uptime")]
    [InlineData("+/broker/uptime", "$SYS/broker/uptime")]
    [InlineData("+/#", "$SYS/broker")]
    [InlineData("+", "$SYS")]
    public void Leading_wildcard_does_not_match_a_dollar_topic(string filter, string topic) => Assert.False(TopicMatcher.Matches(filter, topic));

    [Theory]
    [InlineData("$SYS/#", "$SYS/broker/uptime")]
    [InlineData("$SYS/#", "$SYS")]
    [InlineData("$SYS/+/uptime", "$SYS/broker/uptime")]
    [InlineData("$SYS/broker/uptime", "$SYS/broker/uptime")]
    public void Filter_naming_the_dollar_level_matches_dollar_topics(string filter, string topic) => Assert.True(TopicMatcher.Matches(filter, topic));

    [Fact]
    public void Dollar_inside_a_later_level_is_matched_by_wildcards() => Assert.True(TopicMatcher.Matches("+/$x/#", "a/$x/b"));

    [Fact]
    public void Span_overload_matches_like_the_string_overload() => Assert.True(TopicMatcher.Matches("a/+/#".AsSpan(), "a/b/c".AsSpan()));
}
