using FsCheck.Xunit;
using RobustMq.Protocol.Topics;

namespace RobustMq.Protocol.Tests.Topics;

[Properties(Arbitrary = [typeof(TopicGenerators)], MaxTest = 300)]
public sealed class TopicTrieProperties
{
    [Property]
    public bool Match_returns_what_brute_force_matching_returns(GenFilter[] filters, bool[] removed, GenTopic[] topics)
    {
        var trie = new TopicTrie<int>();
        var live = new List<(string Filter, int Value)>();
        for (var i = 0; i < filters.Length; i++)
        {
            // Values repeat (i % 3) so the multiset and equality-based removal are exercised.
            trie.Add(filters[i].Value, i % 3);
            live.Add((filters[i].Value, i % 3));
        }

        for (var i = 0; i < Math.Min(removed.Length, filters.Length); i++)
        {
            if (removed[i])
            {
                var removedOne = trie.Remove(filters[i].Value, i % 3);
                var index = live.IndexOf((filters[i].Value, i % 3));
                if (removedOne != index >= 0)
                {
                    return false;
                }

                if (index >= 0)
                {
                    live.RemoveAt(index);
                }
            }
        }

        if (trie.Count != live.Count || !SameMultiset(trie.Entries(), live))
        {
            return false;
        }

        var results = new List<int>();
        foreach (var topic in topics)
        {
            results.Clear();
            trie.Match(topic.Value, results);
            var expected = live.Where(e => TopicMatcher.Matches(e.Filter, topic.Value)).Select(e => e.Value).Order();
            if (!results.Order().SequenceEqual(expected))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameMultiset(IEnumerable<(string Filter, int Value)> actual, List<(string Filter, int Value)> expected)
    {
        static string Key((string Filter, int Value) e) => e.Filter + "\0" + e.Value;
        return actual.Select(Key).Order(StringComparer.Ordinal).SequenceEqual(expected.Select(Key).Order(StringComparer.Ordinal));
    }
}
