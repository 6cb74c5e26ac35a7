using System.Diagnostics;
using RobustMq.Protocol.Packets;

namespace RobustMq.Benchmarks.Load;

/// <summary>
/// <c>sessions</c>: leaves <c>--clients</c> persistent sessions behind (Session Expiry <c>--session-expiry</c>, or
/// clean session 0 on 3.1.1), each subscribed at QoS 1 to its own topic <c>lg/{run}/s/{i}</c>, connecting
/// <c>--inflight</c> at a time and disconnecting each at once: what a broker restart then has to bring back
/// (<c>restart.sh</c>). <c>first-connect</c>: connects one client again and again until a CONNACK accepts it (within
/// <c>--timeout</c>) and reports when, as Unix ms: how soon a starting broker serves.
/// </summary>
internal static class SessionsScenario
{
    public static async Task RunAsync(LoadOptions options, string runId, LoadResult result, CancellationToken cancellationToken)
    {
        if (options.SessionExpiry == 0)
        {
            throw new LoadException("sessions needs --session-expiry S (> 0): a clean session leaves nothing behind");
        }

        var clock = Stopwatch.StartNew();
        var done = 0;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, options.Clients),
            new ParallelOptions { MaxDegreeOfParallelism = options.HandshakesInFlight, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                await using var client = await LoadClient.ConnectAsync(options, $"lg-{runId}-{i}", null, ct, persistent: true);
                await client.SubscribeAsync([$"lg/{runId}/s/{i}"], QoS.AtLeastOnce, ct);
                await client.CloseAsync();
                if (Interlocked.Increment(ref done) % 10_000 == 0)
                {
                    Console.Error.WriteLine($"load: {done} sessions in {clock.Elapsed.TotalSeconds:F1} s");
                }
            });
        result.Set("sessions", options.Clients).Set("seconds", LoadResult.Round(clock.Elapsed.TotalSeconds))
            .Set("sessions_per_s", LoadResult.Round(options.Clients / clock.Elapsed.TotalSeconds));
    }

    public static async Task FirstConnectAsync(LoadOptions options, string runId, LoadResult result, CancellationToken cancellationToken)
    {
        var attempts = 0;
        while (true)
        {
            attempts++;
            try
            {
                await using var client = await LoadClient.ConnectAsync(options, $"lg-{runId}-first", null, cancellationToken);
                result.Set("first_connack_unix_ms", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).Set("attempts", attempts);
                return;
            }
            catch (LoadException)
            {
                // Not listening yet (connection refused), or refused: try again shortly.
                await Task.Delay(20, cancellationToken);
            }
        }
    }
}
