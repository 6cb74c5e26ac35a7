using BenchmarkDotNet.Attributes;
using RobustMq.Protocol.Topics;

namespace RobustMq.Benchmarks.Micro;

/// <summary><see cref="TopicTrie{TValue}.Match"/> over 100,000 subscription filters (10% wildcards).</summary>
[MemoryDiagnoser]
public class TopicTrieBenchmarks
{
    private readonly TopicTrie<int> _trie = new();
    private readonly List<int> _results = [];
    private string _exact = "";
    private string _wildcards = "";
    private string _miss = "";

    [GlobalSetup]
    public void Setup()
    {
        var filters = TopicFixtures.Filters();
        for (var i = 0; i < filters.Length; i++)
        {
            _trie.Add(filters[i], i);
        }

        (_exact, _wildcards, _miss) = TopicFixtures.PickTopics(Count);
    }

    [Benchmark]
    public int MatchExact() => Match(_exact);

    [Benchmark]
    public int MatchWildcards() => Match(_wildcards);

    [Benchmark]
    public int MatchMiss() => Match(_miss);

    private int Count(string topic) => Match(topic);

    private int Match(string topic)
    {
        _results.Clear();
        _trie.Match(topic, _results);
        return _results.Count;
    }
}
