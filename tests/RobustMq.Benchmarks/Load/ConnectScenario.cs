using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using RobustMq.Protocol;
using RobustMq.Protocol.Codec;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;

namespace RobustMq.Benchmarks.Load;

/// <summary>
/// connect: opens N connections with H handshakes in flight (bare sockets, no pipes: the idle side must stay light),
/// measures conn/s and TCP-connect-to-CONNACK latency, holds them idle and reads the broker's RSS.
/// </summary>
public static class ConnectScenario
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(15);
    private static readonly byte[] Disconnect = [0xE0, 0x00];
    private const int WarmupPasses = 2;

    public static async Task RunAsync(LoadOptions options, string runId, LoadResult result, CancellationToken cancellationToken)
    {
        result.Set("clients", options.Clients).Set("inflight", options.HandshakesInFlight).Set("warmup_clients", options.WarmupClients)
            .Set("session_expiry", options.SessionExpiry);
        // Warm-up in two passes with a pause after each: a .NET broker's tiered JIT recompiles a hot method in the
        // background only after a quiet 100 ms and 30 more calls, so after a single pass much of that work falls into
        // the measured run (measured on ours: ~140 us of CPU per connection after one pass, ~105 us after two).
        for (var pass = 1; options.WarmupClients > 0 && pass <= WarmupPasses; pass++)
        {
            var warm = new Socket?[options.WarmupClients];
            var warmHistograms = new LatencyHistogram[options.HandshakesInFlight];
            var (_, warmFailed, _) = await ConnectAllAsync(options, $"{runId}-warm{pass}", warm, warmHistograms, cancellationToken);
            foreach (var socket in warm)
            {
                CloseQuietly(socket);
            }

            Console.Error.WriteLine($"load: warm-up pass {pass}: {options.WarmupClients - warmFailed} connected and closed");
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        var rssBefore = BrokerMemory.ReadRssKilobytes(options.BrokerPid);
        var sockets = new Socket?[options.Clients];
        var histograms = new LatencyHistogram[options.HandshakesInFlight];
        try
        {
            var (seconds, failed, firstFailure) = await ConnectAllAsync(options, runId, sockets, histograms, cancellationToken);
            var connected = options.Clients - failed;
            var latency = new LatencyHistogram();
            foreach (var h in histograms)
            {
                latency.Add(h);
            }

            result.Set("connected", connected).Set("failed", failed)
                .Set("conn_per_s", LoadResult.Round(connected / seconds));
            result.SetLatencies("connack", latency);
            Console.Error.WriteLine($"load: {connected} connected ({failed} failed) in {seconds:F2} s");

            await Task.Delay(TimeSpan.FromSeconds(options.HoldSeconds), cancellationToken);
            var rssAfter = BrokerMemory.ReadRssKilobytes(options.BrokerPid);
            result.Set("closed_during_hold", CountClosed(sockets))
                .Set("rss_before_kb", rssBefore).Set("rss_after_kb", rssAfter)
                .Set("rss_per_conn_kb", rssBefore is { } b && rssAfter is { } a && connected > 0
                    ? LoadResult.Round((double)(a - b) / connected)
                    : null);
            if (failed > 0)
            {
                result.Fail($"{failed} of {options.Clients} handshakes failed; first: {firstFailure}");
            }
        }
        finally
        {
            foreach (var socket in sockets)
            {
                CloseQuietly(socket);
            }
        }
    }

    /// <summary>Opens one connection per slot of <paramref name="sockets"/>, H handshakes at a time.</summary>
    private static async Task<(double Seconds, int Failed, string? FirstFailure)> ConnectAllAsync(
        LoadOptions options, string runId, Socket?[] sockets, LatencyHistogram[] histograms, CancellationToken cancellationToken)
    {
        var next = -1;
        var failed = 0;
        string? firstFailure = null;
        var start = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, histograms.Length).Select(w => Task.Run(async () =>
        {
            var histogram = histograms[w] = new LatencyHistogram();
            var buffer = new byte[512];
            int i;
            while ((i = Interlocked.Increment(ref next)) < sockets.Length)
            {
                try
                {
                    var begun = Stopwatch.GetTimestamp();
                    sockets[i] = await HandshakeAsync(options, $"lg-{runId}-c{i}", buffer, cancellationToken);
                    histogram.RecordTicks(Stopwatch.GetTimestamp() - begun);
                }
                catch (Exception e) when (e is SocketException or IOException or LoadException or TimeoutException
                                              or RobustMq.Protocol.MqttProtocolException)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstFailure, $"client {i}: {e.Message}", null);
                }
            }
        }, cancellationToken)).ToArray();
        await Task.WhenAll(workers);
        return (Stopwatch.GetElapsedTime(start).TotalSeconds, failed, firstFailure);
    }

    /// <summary>One connection up to its successful CONNACK (clean, keep-alive 0); the socket is the caller's.</summary>
    internal static async Task<Socket> HandshakeAsync(LoadOptions options, string clientId, byte[] buffer, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HandshakeTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(options.Host, options.Port, timeout.Token);
            var connect = new ArrayBufferWriter<byte>(64);
            MqttPacketWriter.Write(connect, new ConnectPacket
            {
                ProtocolVersion = options.Version,
                CleanStart = options.Version == MqttProtocolVersion.V500 || options.SessionExpiry == 0,
                KeepAlive = 0,
                ClientId = clientId,
                Properties = options.Version == MqttProtocolVersion.V500 && options.SessionExpiry > 0
                    ? new MqttProperties { SessionExpiryInterval = options.SessionExpiry }
                    : null,
            }, options.Version);
            await socket.SendAsync(connect.WrittenMemory, timeout.Token);

            var limits = new DecoderLimits(options.Version, 0);
            var have = 0;
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(have), timeout.Token);
                if (read == 0)
                {
                    throw new LoadException("the broker closed the connection before CONNACK");
                }

                have += read;
                var sequence = new ReadOnlySequence<byte>(buffer, 0, have);
                if (MqttPacketReader.TryRead(ref sequence, limits, out var packet))
                {
                    if (packet is not ConnAckPacket { ReasonCode: 0 })
                    {
                        throw new LoadException($"expected a successful CONNACK, got {packet.Type}");
                    }

                    return socket;
                }

                if (have == buffer.Length)
                {
                    throw new LoadException("CONNACK larger than the read buffer");
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"no CONNACK within {HandshakeTimeout.TotalSeconds} s");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Idle connections should have nothing to read; readable means closed (or an unexpected packet).</summary>
    private static int CountClosed(Socket?[] sockets)
    {
        var closed = 0;
        foreach (var socket in sockets)
        {
            if (socket is not null && socket.Poll(0, SelectMode.SelectRead))
            {
                closed++;
            }
        }

        return closed;
    }

    private static void CloseQuietly(Socket? socket)
    {
        if (socket is null)
        {
            return;
        }

        try
        {
            socket.Send(Disconnect, SocketFlags.None);
        }
        catch (SocketException)
        {
            // Already closed by the broker.
        }
        catch (ObjectDisposedException)
        {
        }

        socket.Dispose();
    }
}
