using FsCheck.Xunit;
using RobustMq.Protocol.Topics;

namespace RobustMq.Protocol.Tests.Topics;

[Properties(Arbitrary = [typeof(TopicGenerators)], MaxTest = 500)]
public sealed class TopicMatcherProperties
{
    /// <summary>Deep enough to witness every difference between filters of at most 4 levels.</summary>
    private static readonly IReadOnlyList<string> Universe = TopicGenerators.AllTopics(maxDepth: 5);

    [Property]
    public bool Generated_filters_are_valid(GenFilter filter) => TopicValidator.IsValidTopicFilter(filter.Value);

    [Property]
    public bool Matches_agrees_with_the_regex_reference(GenFilter filter, GenTopic topic)
        => TopicMatcher.Matches(filter.Value, topic.Value) == TopicGenerators.ReferenceMatches(filter.Value, topic.Value);

    [Property(MaxTest = 2000)]
    public bool Is_subset_of_agrees_with_brute_force(GenFilter filter, GenFilter ofFilter)
    {
        var expected = Universe.All(t => !TopicMatcher.Matches(filter.Value, t) || TopicMatcher.Matches(ofFilter.Value, t));
        return TopicMatcher.IsSubsetOf(filter.Value, ofFilter.Value) == expected;
    }

    [Property(MaxTest = 2000)]
    public bool Overlaps_agrees_with_brute_force(GenFilter filter, GenFilter otherFilter)
    {
        var expected = Universe.Any(t => TopicMatcher.Matches(filter.Value, t) && TopicMatcher.Matches(otherFilter.Value, t));
        return TopicMatcher.Overlaps(filter.Value, otherFilter.Value) == expected;
    }
}
