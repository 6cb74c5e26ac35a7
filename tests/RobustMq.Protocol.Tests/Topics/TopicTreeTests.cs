using RobustMq.Protocol.Topics;

namespace RobustMq.Protocol.Tests.Topics;

public sealed class TopicTreeTests
{
    private static List<string> MatchFilter(TopicTree<int> tree, string filter)
    {
        var results = new List<KeyValuePair<string, int>>();
        tree.MatchFilter(filter, results);
        return results.Select(r => r.Key).Order(StringComparer.Ordinal).ToList();
    }

    private static TopicTree<int> TreeOf(params string[] topics)
    {
        var tree = new TopicTree<int>();
        for (var i = 0; i < topics.Length; i++)
        {
            tree.Set(topics[i], i);
        }

        return tree;
    }

    [Fact]
    public void Stored_topic_is_found_by_name()
    {
        var tree = TreeOf("a/b", "a");

        Assert.True(tree.TryGet("a/b", out var value));
        Assert.Equal(0, value);
        Assert.False(tree.TryGet("a/b/c", out _));
        Assert.False(tree.TryGet("a/c", out _));
    }

    [Fact]
    public void Setting_an_existing_topic_replaces_its_value()
    {
        var tree = new TopicTree<int>();
        tree.Set("a/b", 1);
        tree.Set("a/b", 2);

        Assert.True(tree.TryGet("a/b", out var value));
        Assert.Equal(2, value);
        Assert.Equal(1, tree.Count);
    }

    [Fact]
    public void Prefix_of_a_stored_topic_is_not_stored()
    {
        var tree = TreeOf("a/b/c");

        Assert.False(tree.TryGet("a/b", out _));
        Assert.Empty(MatchFilter(tree, "a/b"));
    }

    [Fact]
    public void Removed_topic_is_gone_and_its_neighbours_stay()
    {
        var tree = TreeOf("a/b", "a/b/c", "a");

        Assert.True(tree.Remove("a/b"));

        Assert.False(tree.TryGet("a/b", out _));
        Assert.Equal(["a", "a/b/c"], MatchFilter(tree, "#"));
        Assert.Equal(2, tree.Count);
    }

    [Fact]
    public void Remove_of_a_missing_topic_returns_false()
    {
        var tree = TreeOf("a/b/c");

        Assert.False(tree.Remove("a/b"));
        Assert.False(tree.Remove("x"));
        Assert.Equal(1, tree.Count);
    }

    [Fact]
    public void Removing_every_topic_leaves_an_empty_tree()
    {
        var topics = new[] { "a/b/c", "a/b", "a", "/", "a//b", "$SYS/x" };
        var tree = TreeOf(topics);

        foreach (var topic in topics)
        {
            Assert.True(tree.Remove(topic));
        }

        Assert.Equal(0, tree.Count);
        Assert.Empty(MatchFilter(tree, "#"));
    }

    [Fact]
    public void Filter_without_wildcards_returns_only_that_topic()
    {
        var tree = TreeOf("a/b", "a/b/c", "a/c");

        Assert.Equal(["a/b"], MatchFilter(tree, "a/b"));
    }

    [Fact]
    public void Plus_filter_returns_topics_one_level_below()
    {
        var tree = TreeOf("a/b", "a/c", "a/b/c", "a", "a/", "b/b");

        Assert.Equal(["a/", "a/b", "a/c"], MatchFilter(tree, "a/+"));
    }

    [Fact]
    public void Hash_filter_includes_the_parent_topic()
    {
        var tree = TreeOf("sport", "sport/tennis", "sport/tennis/player1", "sports");

        Assert.Equal(["sport", "sport/tennis", "sport/tennis/player1"], MatchFilter(tree, "sport/#"));
    }

    [Fact]
    public void Leading_wildcards_skip_dollar_topics()
    {
        var tree = TreeOf("$SYS/uptime", "a/uptime", "a");

        Assert.Equal(["a", "a/uptime"], MatchFilter(tree, "#"));
        Assert.Equal(["a/uptime"], MatchFilter(tree, "+/uptime"));
    }

    [Fact]
    public void Filter_naming_the_dollar_level_returns_dollar_topics()
    {
        var tree = TreeOf("$SYS/uptime", "$SYS/load/1", "a/uptime");

        Assert.Equal(["$SYS/load/1", "$SYS/uptime"], MatchFilter(tree, "$SYS/#"));
        Assert.Equal(["$SYS/uptime"], MatchFilter(tree, "$SYS/+"));
    }

    [Fact]
    public void Match_returns_the_stored_values()
    {
        var tree = new TopicTree<int>();
        tree.Set("a/b", 7);
        var results = new List<KeyValuePair<string, int>>();

        tree.MatchFilter("a/+", results);

        Assert.Equal([new KeyValuePair<string, int>("a/b", 7)], results);
    }

    [Fact]
    public void Narrow_filter_finds_its_topics_among_100k()
    {
        var tree = new TopicTree<int>();
        for (var i = 0; i < 100_000; i++)
        {
            tree.Set($"devices/{i}/telemetry/{i % 10}", i);
        }

        Assert.Equal(100_000, tree.Count);
        Assert.Equal(["devices/4242/telemetry/2"], MatchFilter(tree, "devices/4242/+/+"));
        Assert.Equal(10_000, MatchFilter(tree, "devices/+/telemetry/7").Count);
    }
}
