using System.Buffers;
using System.Net.Sockets;
using RobustMq.Protocol;
using RobustMq.Protocol.Codec;
using RobustMq.Protocol.Packets;

namespace RobustMq.Benchmarks.Load;

/// <summary>
/// The abuse of latency's overload run (<c>--hammer-connects N</c>, <c>--hammer-payload BYTES</c>; issue 13): N new
/// connections a second from this one address, each closed as soon as its CONNACK came (or refused), and one client
/// that publishes QoS 0 messages of BYTES bytes in a loop, as fast as the broker reads them. What it did is reported
/// beside the latency of the well-behaved pair, whose p99 is then set against an idle run's.
/// </summary>
public sealed class Hammer : IAsyncDisposable
{
    /// <summary>Handshakes of the storm under way at once at most: one that would pass it is not started (counted as skipped).</summary>
    private const int MaxInFlight = 2000;

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);
    private static readonly byte[] Disconnect = [0xE0, 0x00];

    private readonly CancellationTokenSource _stop;
    private readonly List<Task> _loops = [];
    private long _connected;
    private long _refused;
    private long _skipped;
    private long _inFlight;
    private long _floodBytes;

    private Hammer(CancellationToken cancellationToken) => _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

    /// <summary>Starts the storm and the flood that <paramref name="options"/> ask for (either may be off).</summary>
    public static Hammer Start(LoadOptions options, string runId, CancellationToken cancellationToken)
    {
        var hammer = new Hammer(cancellationToken);
        if (options.HammerConnects > 0)
        {
            hammer._loops.Add(Task.Run(() => hammer.StormAsync(options, runId)));
        }

        if (options.HammerPayload > 0)
        {
            hammer._loops.Add(Task.Run(() => hammer.FloodAsync(options, runId)));
        }

        return hammer;
    }

    /// <summary>Writes what the hammer did into <paramref name="result"/>, over <paramref name="seconds"/>.</summary>
    public void Report(LoadResult result, double seconds)
    {
        result.Set("hammer_connects_ok", Interlocked.Read(ref _connected))
            .Set("hammer_connects_refused", Interlocked.Read(ref _refused))
            .Set("hammer_connects_skipped", Interlocked.Read(ref _skipped))
            .Set("hammer_connects_ok_per_s", LoadResult.Round(Interlocked.Read(ref _connected) / seconds))
            .Set("hammer_flood_mb", LoadResult.Round(Interlocked.Read(ref _floodBytes) / 1048576.0));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    /// <summary>Every 10 ms, the handshakes due by then are started (not awaited), N a second in all.</summary>
    private async Task StormAsync(LoadOptions options, string runId)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        long launched = 0;
        var buffer = new ThreadLocal<byte[]>(() => new byte[512]);
        using var timer = new PeriodicTimer(Tick);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var due = (long)(started.Elapsed.TotalSeconds * options.HammerConnects);
                for (; launched < due; launched++)
                {
                    if (Interlocked.Read(ref _inFlight) >= MaxInFlight)
                    {
                        Interlocked.Increment(ref _skipped);
                        continue;
                    }

                    Interlocked.Increment(ref _inFlight);
                    _ = OneAsync($"lg-{runId}-h{launched}");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        async Task OneAsync(string clientId)
        {
            try
            {
                using var socket = await ConnectScenario.HandshakeAsync(options, clientId, new byte[512], _stop.Token);
                Interlocked.Increment(ref _connected);
                socket.Send(Disconnect, SocketFlags.None);
            }
            catch (Exception e) when (e is SocketException or IOException or LoadException or TimeoutException or OperationCanceledException
                                          or MqttProtocolException)
            {
                Interlocked.Increment(ref _refused);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }

    /// <summary>One client's QoS 0 PUBLISH of the payload size in a loop, each written as soon as the last one was taken.</summary>
    private async Task FloodAsync(LoadOptions options, string runId)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var socket = await ConnectScenario.HandshakeAsync(options, $"lg-{runId}-flood", new byte[512], _stop.Token);
                var packet = new ArrayBufferWriter<byte>(options.HammerPayload + 64);
                MqttPacketWriter.Write(packet, new PublishPacket { Topic = $"lg/{runId}/flood", QoS = QoS.AtMostOnce, Payload = new byte[options.HammerPayload] }, options.Version);
                var bytes = packet.WrittenMemory;
                while (true)
                {
                    await socket.SendAsync(bytes, _stop.Token);
                    Interlocked.Add(ref _floodBytes, bytes.Length);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is SocketException or IOException or LoadException or TimeoutException or MqttProtocolException)
            {
                // Closed by the broker (a rate limit that disconnects, or a packet over its maximum): connect again.
                await Task.Delay(100, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
