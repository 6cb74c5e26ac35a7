using FsCheck.Xunit;
using RobustMq.Protocol.Topics;

namespace RobustMq.Protocol.Tests.Topics;

[Properties(Arbitrary = [typeof(TopicGenerators)], MaxTest = 300)]
public sealed class TopicTreeProperties
{
    [Property]
    public bool Match_filter_returns_what_brute_force_matching_returns(GenTopic[] topics, bool[] removed, GenFilter[] filters)
    {
        var tree = new TopicTree<int>();
        var stored = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < topics.Length; i++)
        {
            tree.Set(topics[i].Value, i);
            stored[topics[i].Value] = i;
        }

        for (var i = 0; i < Math.Min(removed.Length, topics.Length); i++)
        {
            if (removed[i] && tree.Remove(topics[i].Value) != stored.Remove(topics[i].Value))
            {
                return false;
            }
        }

        if (tree.Count != stored.Count)
        {
            return false;
        }

        var results = new List<KeyValuePair<string, int>>();
        foreach (var filter in filters)
        {
            results.Clear();
            tree.MatchFilter(filter.Value, results);
            var expected = stored.Where(e => TopicMatcher.Matches(filter.Value, e.Key)).OrderBy(e => e.Key, StringComparer.Ordinal);
            if (!results.OrderBy(e => e.Key, StringComparer.Ordinal).SequenceEqual(expected))
            {
                return false;
            }
        }

        return true;
    }
}
