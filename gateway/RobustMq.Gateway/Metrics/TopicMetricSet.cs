using System.Collections.Frozen;

namespace RobustMq.Gateway.Metrics;

/// <summary>
/// The topics registered for topic metrics on this node, looked up on the publish and delivery paths: with none
/// registered, <see cref="Find"/> is one volatile read. Replaced whole when the registrations change
/// (<see cref="TopicMetrics"/>); a topic kept across a change keeps its counters.
/// </summary>
public sealed class TopicMetricSet(BrokerMetrics metrics)
{
    private readonly Lock _lock = new();
    private volatile FrozenDictionary<string, TopicCounters>? _topics;

    /// <summary>The counters of <paramref name="topic"/> (an exact topic name), or null when it is not registered.</summary>
    public TopicCounters? Find(string topic)
    {
        var topics = _topics;
        return topics is null ? null : topics.GetValueOrDefault(topic);
    }

    /// <summary>Every registered topic's counters.</summary>
    public IReadOnlyCollection<TopicCounters> All => (IReadOnlyCollection<TopicCounters>?)_topics?.Values ?? [];

    /// <summary>Samples every registered topic's rates (<see cref="TopicCounters.Sample"/>).</summary>
    public void SampleRates(long now, TimeProvider clock)
    {
        foreach (var counters in All)
        {
            counters.Sample(now, clock);
        }
    }

    /// <summary>Makes <paramref name="registered"/> (topic, registration time) the registered set.</summary>
    public void Replace(IReadOnlyList<(string Topic, DateTimeOffset CreatedAt)> registered)
    {
        lock (_lock)
        {
            var before = _topics ?? FrozenDictionary<string, TopicCounters>.Empty;
            var after = new Dictionary<string, TopicCounters>(StringComparer.Ordinal);
            foreach (var (topic, createdAt) in registered)
            {
                after[topic] = before.TryGetValue(topic, out var kept) && kept.CreatedAt == createdAt ? kept : new TopicCounters(metrics, topic, createdAt);
            }

            foreach (var (topic, counters) in before)
            {
                if (!after.TryGetValue(topic, out var now) || now != counters)
                {
                    counters.RemoveSeries(metrics);
                    if (now is not null)
                    {
                        // Registered again: its series start from 0 with the new registration.
                        now = new TopicCounters(metrics, topic, now.CreatedAt);
                        after[topic] = now;
                    }
                }
            }

            _topics = after.Count == 0 ? null : after.ToFrozenDictionary(StringComparer.Ordinal);
        }
    }
}
