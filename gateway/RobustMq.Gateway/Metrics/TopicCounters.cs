using Prometheus;

namespace RobustMq.Gateway.Metrics;

/// <summary>
/// One registered topic's counters on this node (EMQX's topic metrics): messages in, out and dropped, each by QoS, as
/// plain counts for the API (<see cref="Snapshot"/>) and as Prometheus series with a <c>topic</c> label, bound once when
/// the topic is registered. Thread-safe: increments are interlocked.
/// </summary>
public sealed class TopicCounters
{
    private readonly long[] _in = new long[3];
    private readonly long[] _out = new long[3];
    private readonly long[] _dropped = new long[3];
    private readonly Counter.Child[] _inSeries;
    private readonly Counter.Child[] _outSeries;
    private readonly Counter.Child _droppedSeries;

    // The last sample (counts in the order of RateNames) and the rates per second since the one before.
    private long[] _sampled = new long[RateNames.Length];
    private long _sampledAt;
    private volatile double[] _rates = new double[RateNames.Length];

    /// <summary>The rates kept (EMQX's names without <c>.rate</c>), in the order of <see cref="TopicCounts.Rates"/>.</summary>
    public static readonly string[] RateNames =
        ["messages.in", "messages.out", "messages.dropped", "messages.qos0.in", "messages.qos0.out", "messages.qos1.in", "messages.qos1.out", "messages.qos2.in", "messages.qos2.out"];

    internal TopicCounters(BrokerMetrics metrics, string topic, DateTimeOffset createdAt)
    {
        Topic = topic;
        CreatedAt = createdAt;
        _inSeries = [metrics.TopicMessagesIn.WithLabels(topic, "0"), metrics.TopicMessagesIn.WithLabels(topic, "1"), metrics.TopicMessagesIn.WithLabels(topic, "2")];
        _outSeries = [metrics.TopicMessagesOut.WithLabels(topic, "0"), metrics.TopicMessagesOut.WithLabels(topic, "1"), metrics.TopicMessagesOut.WithLabels(topic, "2")];
        _droppedSeries = metrics.TopicMessagesDropped.WithLabels(topic);
    }

    /// <summary>The topic name (exact, no wildcards).</summary>
    public string Topic { get; }

    /// <summary>When it was registered (the stored registration's time).</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>A message published to the topic at <paramref name="qos"/>; <paramref name="dropped"/> when it was refused at once.</summary>
    public void In(int qos, bool dropped = false)
    {
        Interlocked.Increment(ref _in[qos]);
        _inSeries[qos].Inc();
        if (dropped)
        {
            Dropped(qos);
        }
    }

    /// <summary>A message of the topic written to a subscriber at <paramref name="qos"/>.</summary>
    public void Out(int qos)
    {
        Interlocked.Increment(ref _out[qos]);
        _outSeries[qos].Inc();
    }

    /// <summary>A message of the topic dropped (any reason), at the QoS it was published with.</summary>
    public void Dropped(int qos)
    {
        Interlocked.Increment(ref _dropped[qos]);
        _droppedSeries.Inc();
    }

    /// <summary>The counts now: in, out and dropped, by QoS 0-2, and the rates of the last sample.</summary>
    public TopicCounts Snapshot() => new(
        Topic,
        CreatedAt,
        [Volatile.Read(ref _in[0]), Volatile.Read(ref _in[1]), Volatile.Read(ref _in[2])],
        [Volatile.Read(ref _out[0]), Volatile.Read(ref _out[1]), Volatile.Read(ref _out[2])],
        [Volatile.Read(ref _dropped[0]), Volatile.Read(ref _dropped[1]), Volatile.Read(ref _dropped[2])],
        _rates);

    /// <summary>Takes a sample at <paramref name="now"/> (a <see cref="TimeProvider"/> timestamp): the rates become those since the last one.</summary>
    internal void Sample(long now, TimeProvider clock)
    {
        var counts = Counts();
        if (_sampledAt != 0)
        {
            var seconds = clock.GetElapsedTime(_sampledAt, now).TotalSeconds;
            if (seconds > 0)
            {
                var rates = new double[counts.Length];
                for (var i = 0; i < counts.Length; i++)
                {
                    rates[i] = Math.Round((counts[i] - _sampled[i]) / seconds, 2);
                }

                _rates = rates;
            }
        }

        _sampled = counts;
        _sampledAt = now;
    }

    private long[] Counts()
    {
        long In(int q) => Volatile.Read(ref _in[q]);
        long Out(int q) => Volatile.Read(ref _out[q]);
        return [In(0) + In(1) + In(2), Out(0) + Out(1) + Out(2), Volatile.Read(ref _dropped[0]) + Volatile.Read(ref _dropped[1]) + Volatile.Read(ref _dropped[2]),
            In(0), Out(0), In(1), Out(1), In(2), Out(2)];
    }

    /// <summary>Drops the topic's Prometheus series (unregistered).</summary>
    internal void RemoveSeries(BrokerMetrics metrics)
    {
        foreach (var qos in new[] { "0", "1", "2" })
        {
            metrics.TopicMessagesIn.RemoveLabelled(Topic, qos);
            metrics.TopicMessagesOut.RemoveLabelled(Topic, qos);
        }

        metrics.TopicMessagesDropped.RemoveLabelled(Topic);
    }
}

/// <summary>One node's counts of a registered topic (<see cref="TopicCounters.Snapshot"/>), sent to the admin API of any node.</summary>
[GenerateSerializer, Immutable, Alias("robustmq.topiccounts")]
public sealed record TopicCounts(
    [property: Id(0)] string Topic,
    [property: Id(1)] DateTimeOffset CreatedAt,
    [property: Id(2)] long[] In,
    [property: Id(3)] long[] Out,
    [property: Id(4)] long[] Dropped,
    [property: Id(5)] double[] Rates);
