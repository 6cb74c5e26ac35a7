using BenchmarkDotNet.Attributes;
using RobustMq.Abstractions.Messages;
using RobustMq.Protocol.Topics;

namespace RobustMq.Benchmarks.Micro;

/// <summary>
/// <see cref="TopicTree{TValue}.MatchFilter"/> over 100,000 retained messages: 500 sites x 100 devices x
/// {telemetry, status}, as in the retained store grain. <c>site/7/device/+/telemetry</c> matches 100,
/// <c>site/7/#</c> 200, the exact topic 1.
/// </summary>
[MemoryDiagnoser]
public class RetainedLookupBenchmarks
{
    private const int Sites = 500;
    private const int Devices = 50_000;

    private readonly TopicTree<BrokerMessage> _tree = new();
    private readonly List<KeyValuePair<string, BrokerMessage>> _results = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var payload = new byte[64];
        random.NextBytes(payload);
        var topics = new string[Devices * 2];
        for (var n = 0; n < Devices; n++)
        {
            topics[2 * n] = $"site/{n % Sites}/device/{n}/telemetry";
            topics[(2 * n) + 1] = $"site/{n % Sites}/device/{n}/status";
        }

        random.Shuffle(topics);
        foreach (var topic in topics)
        {
            _tree.Set(topic, new BrokerMessage(topic, payload, QoS: 1, Retain: true));
        }

        Expect("site/7/device/+/telemetry", 100);
        Expect("site/7/#", 200);
        Expect("site/7/device/507/telemetry", 1);
    }

    [Benchmark]
    public int PlusFilter() => Match("site/7/device/+/telemetry");

    [Benchmark]
    public int HashFilter() => Match("site/7/#");

    [Benchmark]
    public int ExactTopic() => Match("site/7/device/507/telemetry");

    private void Expect(string filter, int count)
    {
        if (Match(filter) != count)
        {
            throw new InvalidOperationException($"{filter} matches {_results.Count}, expected {count}");
        }
    }

    private int Match(string filter)
    {
        _results.Clear();
        _tree.MatchFilter(filter, _results);
        return _results.Count;
    }
}
