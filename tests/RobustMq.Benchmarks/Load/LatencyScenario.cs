using System.Diagnostics;
using RobustMq.Protocol.Packets;

namespace RobustMq.Benchmarks.Load;

/// <summary>
/// latency: QoS 1 ping-pong, one message at a time. A publishes a stamped ping; B receives it (one-way latency) and
/// publishes it back; A receives the pong (round trip) and sends the next ping at once, or with <c>--rate N</c> at the
/// next of N ticks a second (light load: what a broker costs and answers when it is mostly idle). With the broker's pid,
/// the result has the broker's CPU over the measured window (<c>broker_cpu_pct</c>, percent of one core).
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
        var pinger = new Pinger(pingTopic, options.QoS, options.PayloadSize, options.Count, window, paced: options.Rate > 0);
        await using var a = await LoadClient.ConnectAsync(options, $"lg-{runId}-a", pinger, cancellationToken);
        await using var b = await LoadClient.ConnectAsync(options, $"lg-{runId}-b", ponger, cancellationToken);
        await a.SubscribeAsync([pongTopic], options.QoS, cancellationToken);
        await b.SubscribeAsync([pingTopic], options.QoS, cancellationToken);

        // The overload run: the abuse starts before the warm-up, so the measured window sees it at full strength.
        await using var hammer = Hammer.Start(options, runId, cancellationToken);
        using var stopPacer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pacer = options.Rate > 0
            ? Task.Factory.StartNew(() => pinger.Pace(a, options.Rate, stopPacer.Token), TaskCreationOptions.LongRunning)
            : Task.CompletedTask;
        if (options.Rate == 0)
        {
            pinger.SendNext(a);
        }

        await WaitAsync(options.WarmupSeconds, pinger, a, b, cancellationToken);
        var (count0, t0, cpu0) = (pinger.RoundTrips, Stopwatch.GetTimestamp(), BrokerCpu.ReadSeconds(options.BrokerPid));
        window.Open();
        await WaitAsync(options.DurationSeconds, pinger, a, b, cancellationToken);
        window.Close();
        var (count1, t1, cpu1) = (pinger.RoundTrips, Stopwatch.GetTimestamp(), BrokerCpu.ReadSeconds(options.BrokerPid));
        pinger.Stop();
        await stopPacer.CancelAsync();
        await pacer;

        var seconds = Stopwatch.GetElapsedTime(t0, t1).TotalSeconds;
        if (options.HammerConnects > 0 || options.HammerPayload > 0)
        {
            hammer.Report(result, seconds + options.WarmupSeconds);
        }

        result.Set("round_trips", count1 - count0)
            .Set("round_trips_per_s", LoadResult.Round((count1 - count0) / seconds))
            .Set("rate", options.Rate)
            .Set("skipped_ticks", pinger.SkippedTicks)
            .Set("broker_cpu_pct", BrokerCpu.Percent(cpu0, cpu1, seconds));
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
    private sealed class Pinger(string pingTopic, QoS qos, int payloadSize, int count, MeasureWindow window, bool paced) : IPublishHandler
    {
        private int _sequence;
        private long _roundTrips;
        private volatile bool _stopped;
        // Paced: a ping is out and its pong has not come back.
        private volatile bool _outstanding;

        /// <summary>Paced ticks that found the previous ping unanswered (no ping sent then).</summary>
        public long SkippedTicks { get; private set; }

        public LatencyHistogram RoundTrip { get; } = new();
        public long RoundTrips => Volatile.Read(ref _roundTrips);
        public bool Done => _stopped || RoundTrips >= count;

        public void Stop() => _stopped = true;

        /// <summary>Sends a ping every 1/<paramref name="rate"/> s on a schedule of its own (a thread that sleeps to each tick).</summary>
        public void Pace(LoadClient client, int rate, CancellationToken cancellationToken)
        {
            var period = Stopwatch.Frequency / (double)rate;
            var start = Stopwatch.GetTimestamp();
            for (long tick = 1; !cancellationToken.IsCancellationRequested && !Done; tick++)
            {
                var due = start + (long)(tick * period);
                while (Stopwatch.GetTimestamp() is var now && now < due)
                {
                    var left = Stopwatch.GetElapsedTime(now, due);
                    if (left > TimeSpan.FromMilliseconds(1.2))
                    {
                        Thread.Sleep(left - TimeSpan.FromMilliseconds(1));
                    }
                    else
                    {
                        Thread.SpinWait(50);
                    }
                }

                if (_outstanding)
                {
                    SkippedTicks++;
                    continue;
                }

                _outstanding = true;
                SendNext(client);
            }
        }

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
            if (paced)
            {
                _outstanding = false;
            }
            else if (!Done)
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
