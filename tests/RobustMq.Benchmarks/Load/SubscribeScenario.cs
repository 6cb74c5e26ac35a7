using System.Diagnostics;

namespace RobustMq.Benchmarks.Load;

/// <summary>
/// subscribe: the cost of a route change. <c>--subscribers S</c> clients each send one SUBSCRIBE with a new filter at a
/// time and wait for its SUBACK; reports SUBSCRIBE to SUBACK p50/p99 and SUBSCRIBEs per second. In a cluster a SUBACK
/// waits until every live silo has the route (issue 11), so this is what a route change costs with that many silos.
/// Every filter stays subscribed until the clients disconnect (clean sessions: the routes go with them).
/// </summary>
public static class SubscribeScenario
{
    public static async Task RunAsync(LoadOptions options, string runId, LoadResult result, CancellationToken cancellationToken)
    {
        var clients = new List<LoadClient>();
        try
        {
            for (var i = 0; i < options.Subscribers; i++)
            {
                clients.Add(await LoadClient.ConnectAsync(options, $"lg-{runId}-s{i}", null, cancellationToken));
            }

            var window = new MeasureWindow();
            var histograms = clients.ConvertAll(_ => new LatencyHistogram());
            var counts = new long[clients.Count];
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var loops = clients.Select((client, i) => Task.Run(async () =>
            {
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    var started = Stopwatch.GetTimestamp();
                    await client.SubscribeAsync([$"lg/{runId}/route/{i}/{n}"], options.QoS, stop.Token, perPacket: 1, inFlight: 1);
                    if (window.IsOpen)
                    {
                        histograms[i].RecordTicks(Stopwatch.GetTimestamp() - started);
                        counts[i]++;
                    }
                }
            }, CancellationToken.None)).ToList();

            await Task.Delay(TimeSpan.FromSeconds(options.WarmupSeconds), cancellationToken);
            var t0 = Stopwatch.GetTimestamp();
            window.Open();
            await Task.Delay(TimeSpan.FromSeconds(options.DurationSeconds), cancellationToken);
            window.Close();
            var elapsed = Stopwatch.GetElapsedTime(t0);
            await stop.CancelAsync();
            try
            {
                await Task.WhenAll(loops);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Stopped mid-SUBSCRIBE.
            }

            var all = new LatencyHistogram();
            histograms.ForEach(all.Add);
            result.Set("subscribers", clients.Count)
                .Set("subscribes", counts.Sum())
                .Set("subscribes_per_s", LoadResult.Round(counts.Sum() / elapsed.TotalSeconds));
            result.SetLatencies("suback", all);
            Console.Error.WriteLine($"load: {counts.Sum()} SUBSCRIBEs, p50 {all.PercentileMilliseconds(50):F3} ms, p99 {all.PercentileMilliseconds(99):F3} ms");
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
