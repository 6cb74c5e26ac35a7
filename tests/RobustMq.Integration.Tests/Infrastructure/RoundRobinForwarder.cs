using System.Net;
using System.Net.Sockets;

namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>
/// A TCP forwarder on a free loopback port that hands each connection it accepts to the next of its target ports in
/// turn (127.0.0.1), copying bytes both ways until either side ends: a suite written for one broker, run against a
/// cluster through it, has consecutive clients (a subscriber, then its publisher) on different silos. TLS and
/// WebSocket pass through untouched. Disposing stops accepting and cuts every connection.
/// </summary>
public sealed class RoundRobinForwarder : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int[] _targets;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _pumps = [];
    private readonly Task _accepting;
    private long _next;

    private RoundRobinForwarder(TcpListener listener, int[] targets)
    {
        _listener = listener;
        _targets = targets;
        _accepting = AcceptAsync();
    }

    /// <summary>The loopback port clients connect to.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Listens on loopback port <paramref name="port"/> (0: a free one) and forwards to <paramref name="targets"/> in turn.</summary>
    public static RoundRobinForwarder Start(int port, params int[] targets)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start(512);
        return new RoundRobinForwarder(listener, targets);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Task[] pumps;
        lock (_pumps)
        {
            pumps = [.. _pumps];
        }

        await Task.WhenAll(pumps).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            var target = _targets[(int)(Interlocked.Increment(ref _next) - 1) % _targets.Length];
            var pump = ForwardAsync(client, target);
            lock (_pumps)
            {
                _pumps.RemoveAll(static t => t.IsCompleted);
                _pumps.Add(pump);
            }
        }
    }

    private async Task ForwardAsync(Socket client, int target)
    {
        using var clientSocket = client;
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, target), _stopping.Token);
        }
        catch (Exception)
        {
            // The silo is not there: the client sees its connection closed, as it would connecting to it directly.
            return;
        }

        using var cut = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var up = PumpAsync(client, server, cut.Token);
        var down = PumpAsync(server, client, cut.Token);
        await Task.WhenAny(up, down);
        // One side ended: the other is cut as well (a broker that closed a connection closes it for its client too).
        await cut.CancelAsync();
        await Task.WhenAll(up, down).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private static async Task PumpAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Cut.
        }
        catch (SocketException)
        {
            // Reset by either side.
        }
        finally
        {
            try
            {
                to.Shutdown(SocketShutdown.Send);
            }
            catch (Exception)
            {
                // Already gone.
            }
        }
    }
}
