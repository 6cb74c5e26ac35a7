using RobustMq.Protocol.Topics;

namespace RobustMq.Protocol.Tests.Topics;

public sealed class TopicValidatorTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("a/b/c")]
    [InlineData("/")]
    [InlineData("a//b")]
    [InlineData("$SYS/broker/uptime")]
    [InlineData("ü/日本/😀")]
    public void Plain_topic_names_are_valid(string topic) => Assert.True(TopicValidator.IsValidTopicName(topic));

    [Fact]
    public void Empty_topic_name_is_invalid() => Assert.False(TopicValidator.IsValidTopicName(""));

    [Theory]
    [InlineData("a/+")]
    [InlineData("#")]
    [InlineData("a#b")]
    [InlineData("sport/tennis+")]
    public void Topic_name_with_a_wildcard_is_invalid(string topic) => Assert.False(TopicValidator.IsValidTopicName(topic));

    [Fact]
    public void Topic_name_with_a_null_character_is_invalid() => Assert.False(TopicValidator.IsValidTopicName("a/\0/b"));

    [Fact]
    public void Topic_name_with_an_unpaired_surrogate_is_invalid() => Assert.False(TopicValidator.IsValidTopicName("a/\uD800/b"));

    [Fact]
    public void Topic_name_of_65535_utf8_bytes_is_valid()
    {
        var topic = new string('€', 21845); // 3 bytes each = 65535 bytes
        Assert.True(TopicValidator.IsValidTopicName(topic));
    }

    [Fact]
    public void Topic_name_over_65535_utf8_bytes_is_invalid()
    {
        var topic = new string('€', 21845) + "a"; // 65536 bytes in 21846 chars
        Assert.False(TopicValidator.IsValidTopicName(topic));
    }

    [Fact]
    public void Ascii_topic_name_over_65535_chars_is_invalid() => Assert.False(TopicValidator.IsValidTopicName(new string('a', 65536)));

    [Theory]
    [InlineData("#")]
    [InlineData("+")]
    [InlineData("a/#")]
    [InlineData("a/+/b")]
    [InlineData("+/+")]
    [InlineData("/#")]
    [InlineData("a//+")]
    [InlineData("$SYS/#")]
    [InlineData("a/b")]
    public void Well_formed_filters_are_valid(string filter) => Assert.True(TopicValidator.IsValidTopicFilter(filter));

    [Fact]
    public void Empty_filter_is_invalid() => Assert.False(TopicValidator.IsValidTopicFilter(""));

    [Theory]
    [InlineData("#/a")]
    [InlineData("a/#/b")]
    [InlineData("#/#")]
    public void Filter_with_hash_before_the_last_level_is_invalid(string filter) => Assert.False(TopicValidator.IsValidTopicFilter(filter));

    [Theory]
    [InlineData("a#")]
    [InlineData("a/b#")]
    [InlineData("a+")]
    [InlineData("+a/b")]
    [InlineData("a/++")]
    [InlineData("a/+#")]
    public void Filter_with_a_wildcard_sharing_its_level_is_invalid(string filter) => Assert.False(TopicValidator.IsValidTopicFilter(filter));

    [Fact]
    public void Filter_with_a_null_character_is_invalid() => Assert.False(TopicValidator.IsValidTopicFilter("a/\0"));
}
