using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;

namespace RobustMq.Gateway.Listeners;

/// <summary>
/// MQTT over WebSocket: binary frames carry a byte stream (MQTT 6.0), so the socket is adapted to a
/// duplex pipe and the ordinary connection loop runs on it.
/// </summary>
public sealed class WebSocketPipe : IDuplexPipe
{
    private readonly WebSocket _socket;
    private readonly Pipe _input = new();
    private readonly Pipe _output = new();
    private Task _send = Task.CompletedTask;

    public WebSocketPipe(WebSocket socket)
    {
        _socket = socket;
    }

    public PipeReader Input => _input.Reader;

    public PipeWriter Output => _output.Writer;

    /// <summary>Pump both directions until either side ends.</summary>
    public async Task RunAsync(Func<Task> connection, CancellationToken aborted)
    {
        var receive = ReceiveAsync(aborted);
        var send = _send = SendAsync(aborted);
        await connection();
        await _output.Writer.CompleteAsync();
        await CloseOutputAsync();
        _socket.Abort();
        await Task.WhenAll(receive, send);
    }

    public void Abort() => _socket.Abort();

    /// <summary>
    /// Half-close, once the connection completed its output: what was written goes out, then a Close frame (the end
    /// of the stream for the client); frames from the client are still received until its Close answers ours.
    /// </summary>
    public async ValueTask CloseOutputAsync()
    {
        await Task.WhenAny(_send, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2));
            }
            catch (Exception ex) when (ex is WebSocketException or TimeoutException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                // The peer is gone already.
            }
        }
    }

    private async Task ReceiveAsync(CancellationToken aborted)
    {
        var writer = _input.Writer;
        try
        {
            while (true)
            {
                var memory = writer.GetMemory(4096);
                var result = await _socket.ReceiveAsync(memory, aborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                if (result.MessageType == WebSocketMessageType.Text)
                {
                    // MQTT-6.0.0-1: MQTT over WebSocket uses binary frames; text closes the connection.
                    break;
                }

                writer.Advance(result.Count);
                var flush = await writer.FlushAsync(aborted);
                if (flush.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Connection lost: the read loop sees the end of input.
        }
        finally
        {
            await writer.CompleteAsync();
        }
    }

    private async Task SendAsync(CancellationToken aborted)
    {
        var reader = _output.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(aborted);
                var buffer = result.Buffer;
                foreach (var segment in buffer)
                {
                    await _socket.SendAsync(segment, WebSocketMessageType.Binary, true, aborted);
                }

                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Connection lost.
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }
}
