using System.Diagnostics;
using RobustMq.Protocol.Packets;

namespace RobustMq.Benchmarks.Load;

/// <summary>
/// The throughput scenarios (fanin, fanout, shared, topics): connect and subscribe, publish through a warm-up, count
/// deliveries over the measured window, then stop publishing, wait for the acks and the last deliveries, and
/// compare what the broker accepted with what the subscribers got.
/// </summary>
public static class FlowScenario
{
    private const int ConnectsInFlight = 64;
    private static readonly TimeSpan AckDrainTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DeliveryDrainTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Qos0Quiet = TimeSpan.FromMilliseconds(500);

    public static async Task RunAsync(LoadOptions options, FlowPlan plan, string runId, LoadResult result, CancellationToken cancellationToken)
    {
        result.Set("publishers", plan.Publishers).Set("subscribers", plan.Subscribers)
            .Set("topics", plan.PublisherTopics.SelectMany(t => t).Distinct(StringComparer.Ordinal).Count());
        var window = new MeasureWindow();
        var maxAhead = options.MaxAhead ?? Math.Max(2_000L, 20L * plan.CopiesPerMessage);
        var gate = maxAhead == 0 ? null : new FlowGate(maxAhead, plan.CopiesPerMessage);
        result.Set("max_ahead", gate?.Limit);
        var stats = new DeliveryStats[plan.Subscribers];
        var subscribers = new LoadClient?[plan.Subscribers];
        var publishers = new LoadClient?[plan.Publishers];
        var sources = new PublishSource[plan.Publishers];
        try
        {
            var setup = Stopwatch.StartNew();
            await Parallel.ForEachAsync(
                Enumerable.Range(0, plan.Subscribers),
                new ParallelOptions { MaxDegreeOfParallelism = ConnectsInFlight, CancellationToken = cancellationToken },
                async (i, ct) =>
                {
                    stats[i] = new DeliveryStats(plan.Publishers, window, gate, plan.SharedGroup);
                    var client = subscribers[i] = await LoadClient.ConnectAsync(options, $"lg-{runId}-s{i}", stats[i], ct, persistent: true, port: options.SubscriberPort);
                    await client.SubscribeAsync(plan.SubscriberFilters[i], options.QoS, ct);
                });
            var subscriptions = plan.SubscriberFilters.Sum(f => f.Length);
            result.Set("subscribe_s", LoadResult.Round(setup.Elapsed.TotalSeconds))
                .Set("subscriptions_per_s", LoadResult.Round(subscriptions / setup.Elapsed.TotalSeconds));
            Console.Error.WriteLine($"load: {plan.Subscribers} subscribers, {subscriptions} subscriptions in {setup.Elapsed.TotalSeconds:F1} s");

            await Parallel.ForEachAsync(
                Enumerable.Range(0, plan.Publishers),
                new ParallelOptions { MaxDegreeOfParallelism = ConnectsInFlight, CancellationToken = cancellationToken },
                async (i, ct) => publishers[i] = await LoadClient.ConnectAsync(options, $"lg-{runId}-p{i}", null, ct));
            gate?.Attach([.. publishers.Select(p => p!)]);
            for (var i = 0; i < plan.Publishers; i++)
            {
                var client = publishers[i]!;
                sources[i] = new PublishSource(
                    i, plan.PublisherTopics[i], options.QoS, options.PayloadSize, Math.Min(options.Window, client.ServerReceiveMaximum), gate);
                client.StartPublishing(sources[i]);
            }

            await WatchAsync(options.WarmupSeconds, subscribers, publishers, gate, cancellationToken);
            var (received0, sent0, t0) = (Sum(stats, static s => s.Received), Sum(sources, static s => s.Sent), Stopwatch.GetTimestamp());
            window.Open();
            await WatchAsync(options.DurationSeconds, subscribers, publishers, gate, cancellationToken);
            var (received1, sent1, t1) = (Sum(stats, static s => s.Received), Sum(sources, static s => s.Sent), Stopwatch.GetTimestamp());
            window.Close();
            var seconds = Stopwatch.GetElapsedTime(t0, t1).TotalSeconds;
            result.Set("msg_per_s", LoadResult.Round((received1 - received0) / seconds))
                .Set("pub_msg_per_s", LoadResult.Round((sent1 - sent0) / seconds));
            Console.Error.WriteLine($"load: {(received1 - received0) / seconds:F0} deliveries/s, {(sent1 - sent0) / seconds:F0} publishes/s");

            foreach (var (source, client) in sources.Zip(publishers))
            {
                source.Stop();
                client!.Wake();
            }

            await DrainAsync(options, plan, stats, sources, cancellationToken);
            Report(options, plan, stats, sources, result);
            result.Set("gate_written_off", gate?.WrittenOff);
            ReportClientErrors(subscribers, publishers, result);
        }
        finally
        {
            await Task.WhenAll(publishers.Concat(subscribers).Where(c => c is not null).Select(c => c!.DisposeAsync().AsTask()));
        }
    }

    /// <summary>Waits <paramref name="seconds"/>, nudging the gate and failing early when any client's connection broke.</summary>
    private static async Task WatchAsync(
        double seconds, LoadClient?[] subscribers, LoadClient?[] publishers, FlowGate? gate, CancellationToken cancellationToken)
    {
        var end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end)
        {
            var left = TimeSpan.FromSeconds((double)(end - Stopwatch.GetTimestamp()) / Stopwatch.Frequency);
            await Task.Delay(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200), cancellationToken);
            gate?.Nudge();
            var broken = publishers.Concat(subscribers).FirstOrDefault(c => c?.Error is not null);
            if (broken is not null)
            {
                throw new LoadException(broken.Error!);
            }
        }
    }

    /// <summary>Waits (bounded) for every QoS 1/2 publish to be acknowledged, then for the subscribers to catch up.</summary>
    private static async Task DrainAsync(LoadOptions options, FlowPlan plan, DeliveryStats[] stats, PublishSource[] sources, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(AckDrainTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Sum(sources, static s => s.Inflight) > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20, cancellationToken);
        }

        var expected = Sum(sources, static s => s.Acked) * plan.CopiesPerMessage;
        deadline = Stopwatch.GetTimestamp() + (long)(DeliveryDrainTimeout.TotalSeconds * Stopwatch.Frequency);
        var last = -1L;
        var lastChange = Stopwatch.GetTimestamp();
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var received = Sum(stats, static s => s.Received);
            if (received >= expected)
            {
                return;
            }

            if (received != last)
            {
                (last, lastChange) = (received, Stopwatch.GetTimestamp());
            }
            else if (options.QoS == QoS.AtMostOnce && Stopwatch.GetElapsedTime(lastChange) > Qos0Quiet)
            {
                // QoS 0 may be dropped by design: stop once deliveries have gone quiet.
                return;
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    private static void Report(LoadOptions options, FlowPlan plan, DeliveryStats[] stats, PublishSource[] sources, LoadResult result)
    {
        var sent = Sum(sources, static s => s.Sent);
        var acked = Sum(sources, static s => s.Acked);
        var unacked = Sum(sources, static s => s.Inflight);
        var received = Sum(stats, static s => s.Received);
        var expected = acked * plan.CopiesPerMessage;
        result.Set("sent", sent).Set("acked", acked).Set("unacked", unacked)
            .Set("rejected", Sum(sources, static s => s.Rejected))
            .Set("expected", expected).Set("received", received);
        if (options.QoS == QoS.AtMostOnce)
        {
            result.Set("lost", null).Set("qos0_dropped", Math.Max(0, expected - received));
        }
        else
        {
            result.Set("lost", Math.Max(0, expected - received));
        }

        result.Set("out_of_order", Sum(stats, static s => s.OutOfOrder));
        if (plan.SharedGroup)
        {
            result.Set("duplicates", CountDuplicates(stats));
        }

        result.Set("foreign", Sum(stats, static s => s.Foreign));
        var latency = new LatencyHistogram();
        foreach (var s in stats)
        {
            latency.Add(s.Latency);
        }

        result.SetLatencies("latency", latency);
    }

    /// <summary>Messages that reached more than one member of the group (null when too many to keep).</summary>
    private static long? CountDuplicates(DeliveryStats[] stats)
    {
        var all = new List<long>();
        foreach (var s in stats)
        {
            if (s.Seen is null || s.Seen.Count >= DeliveryStats.MaxSeen)
            {
                return null;
            }

            all.AddRange(s.Seen);
        }

        all.Sort();
        long duplicates = 0;
        for (var i = 1; i < all.Count; i++)
        {
            if (all[i] == all[i - 1])
            {
                duplicates++;
            }
        }

        return duplicates;
    }

    private static void ReportClientErrors(LoadClient?[] subscribers, LoadClient?[] publishers, LoadResult result)
    {
        foreach (var client in publishers.Concat(subscribers))
        {
            if (client?.Error is { } error)
            {
                result.Fail(error);
            }
        }
    }

    private static long Sum<T>(T[] items, Func<T, long> value)
    {
        long sum = 0;
        foreach (var item in items)
        {
            sum += value(item);
        }

        return sum;
    }
}
