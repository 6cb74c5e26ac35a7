using RobustMq.Protocol.Topics;

namespace RobustMq.Protocol.Tests.Topics;

public sealed class TopicTrieTests
{
    private static List<string> Match(TopicTrie<string> trie, string topic)
    {
        var results = new List<string>();
        trie.Match(topic, results);
        results.Sort(StringComparer.Ordinal);
        return results;
    }

    private static TopicTrie<string> TrieOf(params string[] filters)
    {
        var trie = new TopicTrie<string>();
        foreach (var filter in filters)
        {
            trie.Add(filter, filter);
        }

        return trie;
    }

    [Fact]
    public void Empty_trie_matches_nothing() => Assert.Empty(Match(new TopicTrie<string>(), "a/b"));

    [Fact]
    public void Every_overlapping_filter_that_matches_is_returned()
    {
        var trie = TrieOf("a/b", "a/+", "a/#", "#", "+/b", "+/+", "+/#", "a/b/c", "a/c", "b/#", "a/b/#", "+");

        Assert.Equal(["#", "+/#", "+/+", "+/b", "a/#", "a/+", "a/b", "a/b/#"], Match(trie, "a/b"));
    }

    [Fact]
    public void Hash_filter_matches_its_parent_topic()
    {
        var trie = TrieOf("sport/#", "sport/tennis/#");

        Assert.Equal(["sport/#"], Match(trie, "sport"));
    }

    [Fact]
    public void Plus_filter_matches_an_empty_level()
    {
        var trie = TrieOf("a/+/c", "+/x");

        Assert.Equal(["a/+/c"], Match(trie, "a//c"));
        Assert.Equal(["+/x"], Match(trie, "/x"));
    }

    [Fact]
    public void Leading_wildcards_do_not_match_dollar_topics()
    {
        var trie = TrieOf("#", "+/broker", "+/#", "$SYS/#", "$SYS/+");

        Assert.Equal(["$SYS/#", "$SYS/+"], Match(trie, "$SYS/broker"));
    }

    [Fact]
    public void Wildcard_characters_in_a_topic_level_are_not_wildcards()
    {
        var trie = TrieOf("a/b");

        Assert.Empty(Match(trie, "a/+"));
    }

    [Fact]
    public void Same_value_added_twice_is_returned_twice()
    {
        var trie = new TopicTrie<string>();
        trie.Add("a/+", "client1");
        trie.Add("a/+", "client1");

        Assert.Equal(["client1", "client1"], Match(trie, "a/b"));
        Assert.Equal(2, trie.Count);
    }

    [Fact]
    public void Value_under_two_matching_filters_is_returned_once_per_filter()
    {
        var trie = new TopicTrie<string>();
        trie.Add("a/+", "client1");
        trie.Add("a/#", "client1");

        Assert.Equal(["client1", "client1"], Match(trie, "a/b"));
    }

    [Fact]
    public void Remove_takes_out_one_copy_of_the_value()
    {
        var trie = new TopicTrie<string>();
        trie.Add("a/+", "client1");
        trie.Add("a/+", "client1");
        trie.Add("a/+", "client2");

        Assert.True(trie.Remove("a/+", "client1"));

        Assert.Equal(["client1", "client2"], Match(trie, "a/b"));
        Assert.Equal(2, trie.Count);
    }

    [Fact]
    public void Remove_of_a_missing_entry_returns_false()
    {
        var trie = new TopicTrie<string>();
        trie.Add("a/+", "client1");

        Assert.False(trie.Remove("a/+", "client2"));
        Assert.False(trie.Remove("a/#", "client1"));
        Assert.False(trie.Remove("a", "client1"));
        Assert.False(trie.Remove("x/y/z", "client1"));
        Assert.Equal(1, trie.Count);
    }

    [Fact]
    public void Removing_every_entry_leaves_an_empty_trie()
    {
        var filters = new[] { "a/b/c", "a/b", "a/+/c", "a/#", "#", "+", "+/+/+", "", "/", "$SYS/#" };
        var trie = new TopicTrie<int>();
        for (var i = 0; i < filters.Length; i++)
        {
            trie.Add(filters[i], i);
        }

        for (var i = 0; i < filters.Length; i++)
        {
            Assert.True(trie.Remove(filters[i], i));
        }

        Assert.Equal(0, trie.Count);
        Assert.Empty(trie.Entries());
        var results = new List<int>();
        trie.Match("a/b/c", results);
        Assert.Empty(results);
    }

    [Fact]
    public void Removing_a_deep_filter_keeps_its_prefix_filter()
    {
        var trie = TrieOf("a", "a/b/c");

        Assert.True(trie.Remove("a/b/c", "a/b/c"));

        Assert.Equal(["a"], Match(trie, "a"));
        Assert.Empty(Match(trie, "a/b/c"));
    }

    [Fact]
    public void Entries_lists_every_filter_and_value()
    {
        var trie = new TopicTrie<int>();
        trie.Add("a/+", 1);
        trie.Add("a/+", 1);
        trie.Add("#", 2);
        trie.Add("a/b", 3);

        var entries = trie.Entries().OrderBy(e => e.Filter, StringComparer.Ordinal).ThenBy(e => e.Value).ToList();

        Assert.Equal([("#", 2), ("a/+", 1), ("a/+", 1), ("a/b", 3)], entries);
    }

    [Fact]
    public void Many_overlapping_filters_match_like_the_matcher()
    {
        var levels = new[] { "a", "b", "+", "" };
        var filters = new List<string>();
        foreach (var x in levels)
        {
            filters.Add(x);
            filters.Add(x + "/#");
            foreach (var y in levels)
            {
                filters.Add(x + "/" + y);
                filters.Add(x + "/" + y + "/#");
            }
        }

        filters.Add("#");
        var trie = new TopicTrie<string>();
        foreach (var filter in filters)
        {
            trie.Add(filter, filter);
        }

        foreach (var topic in new[] { "a", "a/b", "b/a/c", "/a", "a/", "//", "c/d/e/f" })
        {
            var expected = filters.Where(f => TopicMatcher.Matches(f, topic)).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(expected, Match(trie, topic));
        }
    }

    [Fact]
    public void Match_does_not_allocate_once_the_results_list_has_room()
    {
        var trie = TrieOf("a/b/c", "a/+/c", "a/#", "+/b/+", "#", "x/y");
        var results = new List<string>(capacity: 16);
        trie.Match("a/b/c", results); // warm up the JIT
        results.Clear();

        var before = GC.GetAllocatedBytesForCurrentThread();
        trie.Match("a/b/c", results);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(5, results.Count);
    }
}
