using BenchmarkDotNet.Attributes;
using RobustMq.Abstractions.Routing;
using RobustMq.Gateway.Routing;

namespace RobustMq.Benchmarks.Micro;

/// <summary><see cref="RouteCache.Match"/> (trie plus read lock) with 100,000 routes applied as RouteChange adds.</summary>
[MemoryDiagnoser]
public class RouteCacheBenchmarks
{
    private readonly RouteCache _cache = new();
    private readonly List<RouteEntry> _results = [];
    private string _exact = "";
    private string _wildcards = "";
    private string _miss = "";

    [GlobalSetup]
    public void Setup()
    {
        var filters = TopicFixtures.Filters();
        var changes = new RouteChange[filters.Length];
        for (var i = 0; i < filters.Length; i++)
        {
            var entry = new RouteEntry(filters[i], $"client-{i}", $"node-{i % 3}", QoS: 1, NoLocal: false, RetainAsPublished: false, SubscriptionId: 0);
            changes[i] = new RouteChange(Add: true, entry);
        }

        _cache.Apply(changes);
        if (_cache.Count != filters.Length)
        {
            throw new InvalidOperationException($"route cache holds {_cache.Count} routes, expected {filters.Length}");
        }

        (_exact, _wildcards, _miss) = TopicFixtures.PickTopics(Match);
    }

    [Benchmark]
    public int MatchExact() => Match(_exact);

    [Benchmark]
    public int MatchWildcards() => Match(_wildcards);

    [Benchmark]
    public int MatchMiss() => Match(_miss);

    private int Match(string topic)
    {
        _results.Clear();
        _cache.Match(topic, _results);
        return _results.Count;
    }
}
