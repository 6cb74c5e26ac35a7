using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RobustMq.Gateway.Connections;

namespace RobustMq.Gateway.Listeners;

/// <summary>
/// MQTT over plain TCP on a bare <see cref="Socket"/> rather than Kestrel: an idle device connection is most
/// of what a broker holds, and here it costs a socket and a <see cref="SocketReader"/>/<see cref="SocketWriter"/> pair
/// that wait with zero-byte receives and hold no buffer between packets (Kestrel's connection machinery holds
/// ~4 kB more per connection; stream pipes over a NetworkStream ~0.8 kB more).
/// TLS and WebSocket stay on Kestrel.
/// </summary>
public sealed partial class TcpSocketListener(
    IOptions<ListenerOptions> options,
    ConnectionServices services,
    ILogger<TcpSocketListener> logger) : IHostedService, IDisposable
{
    private const int Backlog = 1024;

    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _listener;
    private Task? _accepting;
    private readonly AcceptRate? _rate = options.Value.Tcp.MaxConnectionRate > 0
        ? new AcceptRate(options.Value.Tcp.MaxConnectionRate, services.Clock, services.Metrics)
        : null;

    /// <summary>The bound endpoint (the real port when configured with 0).</summary>
    public IPEndPoint? LocalEndPoint => _listener?.LocalEndPoint as IPEndPoint;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var tcp = options.Value.Tcp;
        var endpoint = new IPEndPoint(IPAddress.Parse(tcp.Address), tcp.Port);
        var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // No SocketOptionName.ReuseAddress: on Linux and macOS .NET turns it into SO_REUSEADDR *and* SO_REUSEPORT,
            // and SO_REUSEPORT let a second broker bind the same port and take half the clients. A restart while old
            // connections sit in TIME_WAIT still binds: .NET sets plain SO_REUSEADDR on every TCP socket it binds there.
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }

            listener.Bind(endpoint);
            listener.Listen(Backlog);
        }
        catch (SocketException ex)
        {
            listener.Dispose();
            throw new InvalidOperationException($"Listeners:Tcp:Port {endpoint.Port}: cannot listen on {endpoint}: {ex.Message}", ex);
        }

        _listener = listener;
        _accepting = AcceptLoopAsync(listener);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        _listener?.Dispose();
        if (_accepting is not null)
        {
            await _accepting;
        }

        // Ending each socket ends its connection loop, which hands the session back as on any network failure.
        foreach (var socket in _connections.Keys)
        {
            Shutdown(socket);
        }

        await Task.WhenAll(_connections.Values).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose()
    {
        _listener?.Dispose();
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        var failures = 0;
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token);
                failures = 0;
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
            {
                // Reset by the client before it was accepted: nothing to do.
                continue;
            }
            catch (SocketException ex)
            {
                // Out of file descriptors (EMFILE/ENFILE) or buffers: every accept fails at once while the waiting
                // connection stays queued, so retrying at once would spin a core and flood the log. Pause, doubling up
                // to a second, until connections close; the client waits in the listen backlog meanwhile.
                var pause = AcceptPause(++failures);
                LogAcceptFailed(logger, ex, ex.SocketErrorCode, failures, (int)pause.TotalMilliseconds);
                try
                {
                    await Task.Delay(pause, _stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            if (!services.Limit.TryAcquire())
            {
                // Listeners:MaxConnections are open: closed before CONNECT, so the descriptors left stay the runtime's.
                Abort(socket);
                continue;
            }

            var task = RunAsync(socket);
            if (!task.IsCompleted)
            {
                _connections[socket] = task;
            }

            if (_rate is { } rate)
            {
                try
                {
                    // Listeners:Tcp:MaxConnectionRate: the next client waits in the listen backlog for its turn.
                    await rate.WaitTurnAsync(_stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task RunAsync(Socket socket)
    {
        await Task.Yield(); // off the accept loop
        try
        {
            socket.NoDelay = true;

            // The reader and writer take what the kernel has and give it what it takes without blocking.
            socket.Blocking = false;
            var transport = new SocketPipe(new SocketReader(socket), new SocketWriter(socket));
            var connection = new MqttConnection(transport, socket.RemoteEndPoint?.ToString(), () => Abort(socket), () => CloseOutput(socket), services);
            await connection.RunAsync();
        }
        catch (Exception ex)
        {
            LogConnectionFailed(logger, ex);
        }
        finally
        {
            Abort(socket);
            _connections.TryRemove(socket, out _);
            services.Limit.Release();
        }
    }

    /// <summary>The pause after the n-th accept failure in a row: 10 ms, doubling, at most a second.</summary>
    internal static TimeSpan AcceptPause(int failures) => TimeSpan.FromMilliseconds(Math.Min(1000, 10 << Math.Min(failures - 1, 7)));

    /// <summary>Half-close: FIN after what was sent, so the client sees the end of the stream while its bytes are still read.</summary>
    private static ValueTask CloseOutput(Socket socket)
    {
        Shutdown(socket, SocketShutdown.Send);
        return ValueTask.CompletedTask;
    }

    /// <summary>Ends both directions (or one); pending reads and writes of the connection loop fail and it winds down.</summary>
    private static void Shutdown(Socket socket, SocketShutdown how = SocketShutdown.Both)
    {
        try
        {
            socket.Shutdown(how);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed by the peer or by us.
        }
    }

    /// <summary>Shuts both directions and closes the socket: the end of every connection, and the cut-off of one that does not end (pending I/O fails at once).</summary>
    private static void Abort(Socket socket)
    {
        Shutdown(socket);
        socket.Dispose();
    }

    private sealed class SocketPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Accepting a TCP connection failed ({Error}, {Failures} in a row): accepting again in {PauseMs} ms")]
    private static partial void LogAcceptFailed(ILogger logger, Exception ex, SocketError error, int failures, int pauseMs);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "A TCP connection failed outside its MQTT loop")]
    private static partial void LogConnectionFailed(ILogger logger, Exception ex);
}
