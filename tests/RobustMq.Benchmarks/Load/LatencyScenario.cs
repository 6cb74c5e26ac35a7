using System.Diagnostics;
using RobustMq.Protocol.Packets;

namespace RobustMq.Benchmarks.Load;

/// <summary>
/// latency: QoS 1 ping-pong, one message at a time. A publishes a stamped ping; B receives it (one-way latency) and
/// publishes it back; A receives the pong (round trip) and sends the next ping at once.
/// </summary>
public static class LatencyScenario
{
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(LoadOptions options, string runId, LoadResult result, CancellationToken cancellationToken)
    {
        var window = new MeasureWindow();
        var pingTopic = $"lg/{runId}/ping";
        var pongTopic = $"lg/{runId}/pong";
        var ponger = new Ponger(pongTopic, options.QoS, window);
        var pinger = new Pinger(pingTopic, options.QoS, options.PayloadSize, options.Count, window);
        await using var a = await LoadClient.ConnectAsync(options, $"lg-{runId}-a", pinger, cancellationToken);
        await using var b = await LoadClient.ConnectAsync(options, $"lg-{runId}-b", ponger, cancellationToken);
        await a.SubscribeAsync([pongTopic], options.QoS, cancellationToken);
        await b.SubscribeAsync([pingTopic], options.QoS, cancellationToken);

        pinger.SendNext(a);
        await WaitAsync(options.WarmupSeconds, pinger, a, b, cancellationToken);
        var (count0, t0) = (pinger.RoundTrips, Stopwatch.GetTimestamp());
        window.Open();
        await WaitAsync(options.DurationSeconds, pinger, a, b, cancellationToken);
        window.Close();
        var (count1, t1) = (pinger.RoundTrips, Stopwatch.GetTimestamp());
        pinger.Stop();

        result.Set("round_trips", count1 - count0)
            .Set("round_trips_per_s", LoadResult.Round((count1 - count0) / Stopwatch.GetElapsedTime(t0, t1).TotalSeconds));
        result.SetLatencies("rtt", pinger.RoundTrip, withP999: true);
        result.SetLatencies("oneway", ponger.OneWay, withP999: true);
        Console.Error.WriteLine($"load: {count1 - count0} round trips, p50 {pinger.RoundTrip.PercentileMilliseconds(50):F3} ms, " +
                                $"p99 {pinger.RoundTrip.PercentileMilliseconds(99):F3} ms");
    }

    /// <summary>Waits up to <paramref name="seconds"/> (less when the count is reached); fails on a stall or a broken client.</summary>
    private static async Task WaitAsync(double seconds, Pinger pinger, LoadClient a, LoadClient b, CancellationToken cancellationToken)
    {
        var end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var last = pinger.RoundTrips;
        var lastChange = Stopwatch.GetTimestamp();
        while (Stopwatch.GetTimestamp() < end && !pinger.Done)
        {
            await Task.Delay(50, cancellationToken);
            if ((a.Error ?? b.Error) is { } error)
            {
                throw new LoadException(error);
            }

            if (pinger.RoundTrips != last)
            {
                (last, lastChange) = (pinger.RoundTrips, Stopwatch.GetTimestamp());
            }
            else if (Stopwatch.GetElapsedTime(lastChange) > StallTimeout)
            {
                throw new LoadException($"no pong for {StallTimeout.TotalSeconds} s after {last} round trips (message lost?)");
            }
        }
    }

    /// <summary>Client A: records the round trip of each pong and sends the next ping.</summary>
    private sealed class Pinger(string pingTopic, QoS qos, int payloadSize, int count, MeasureWindow window) : IPublishHandler
    {
        private int _sequence;
        private long _roundTrips;
        private volatile bool _stopped;

        public LatencyHistogram RoundTrip { get; } = new();
        public long RoundTrips => Volatile.Read(ref _roundTrips);
        public bool Done => _stopped || RoundTrips >= count;

        public void Stop() => _stopped = true;

        public void SendNext(LoadClient client)
        {
            var payload = new byte[payloadSize];
            new MessageStamp(Stopwatch.GetTimestamp(), 0, _sequence++).Write(payload);
            client.Publish(pingTopic, qos, payload);
        }

        public void OnPublish(LoadClient client, PublishPacket packet, long receivedAt)
        {
            if (!MessageStamp.TryRead(packet.Payload.Span, out var stamp))
            {
                return;
            }

            if (window.IsOpen)
            {
                RoundTrip.RecordTicks(receivedAt - stamp.Timestamp);
            }

            Volatile.Write(ref _roundTrips, _roundTrips + 1);
            if (!Done)
            {
                SendNext(client);
            }
        }
    }

    /// <summary>Client B: records the one-way latency of each ping and sends it straight back.</summary>
    private sealed class Ponger(string pongTopic, QoS qos, MeasureWindow window) : IPublishHandler
    {
        public LatencyHistogram OneWay { get; } = new();

        public void OnPublish(LoadClient client, PublishPacket packet, long receivedAt)
        {
            if (MessageStamp.TryRead(packet.Payload.Span, out var stamp) && window.IsOpen)
            {
                OneWay.RecordTicks(receivedAt - stamp.Timestamp);
            }

            client.Publish(pongTopic, qos, packet.Payload);
        }
    }
}
