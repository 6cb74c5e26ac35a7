using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using RobustMq.Gateway.Listeners;

namespace RobustMq.Gateway.Tests.Listeners;

/// <summary><see cref="SocketReader"/> and <see cref="SocketWriter"/> on a real loopback TCP connection.</summary>
public sealed class SocketTransportTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private Socket _server = null!;
    private Socket _client = null!;
    private SocketReader _reader = null!;
    private SocketWriter _writer = null!;

    public async Task InitializeAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await _client.ConnectAsync(listener.LocalEndPoint!);
        _server = await listener.AcceptAsync();
        _server.Blocking = false;
        _reader = new SocketReader(_server);
        _writer = new SocketWriter(_server);
    }

    public Task DisposeAsync()
    {
        _reader.Complete();
        _writer.Complete();
        _client.Dispose();
        _server.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Idle_reader_holds_no_buffer_and_wakes_for_data()
    {
        var read = _reader.ReadAsync().AsTask();
        await Task.Delay(50);
        Assert.False(read.IsCompleted);
        Assert.False(_reader.HoldsBuffer);

        await _client.SendAsync(new byte[] { 1, 2, 3 });
        var result = await read.WaitAsync(Timeout);

        Assert.Equal(new byte[] { 1, 2, 3 }, result.Buffer.ToArray());
        _reader.AdvanceTo(result.Buffer.End);
        var next = _reader.ReadAsync().AsTask();
        await Task.Delay(50);
        Assert.False(_reader.HoldsBuffer);
        Assert.False(next.IsCompleted);
    }

    [Fact]
    public async Task Partly_consumed_data_is_kept_and_examined_data_waits_for_more()
    {
        await _client.SendAsync(new byte[] { 1, 2, 3, 4 });
        var first = await ReadAtLeastAsync(4);
        _reader.AdvanceTo(first.Buffer.GetPosition(2), first.Buffer.End);

        // All examined: the next read waits for new bytes and returns them behind the unconsumed ones.
        var read = _reader.ReadAsync().AsTask();
        await Task.Delay(50);
        Assert.False(read.IsCompleted);
        await _client.SendAsync(new byte[] { 5 });
        var second = await read.WaitAsync(Timeout);

        Assert.Equal(new byte[] { 3, 4, 5 }, second.Buffer.ToArray());
    }

    [Fact]
    public async Task A_packet_larger_than_the_buffer_grows_it_and_arrives_whole()
    {
        var data = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        var sending = _client.SendAsync(data);

        var result = await ReadAtLeastAsync(data.Length);
        await sending;

        Assert.Equal(data, result.Buffer.ToArray());
    }

    [Fact]
    public async Task CancelPendingRead_ends_a_waiting_read_and_data_after_it_is_not_lost()
    {
        var read = _reader.ReadAsync().AsTask();
        await Task.Delay(50);
        _reader.CancelPendingRead();
        var cancelled = await read.WaitAsync(Timeout);
        Assert.True(cancelled.IsCanceled);
        _reader.AdvanceTo(cancelled.Buffer.Start);

        await _client.SendAsync(new byte[] { 9 });
        var result = await _reader.ReadAsync().AsTask().WaitAsync(Timeout);

        Assert.False(result.IsCanceled);
        Assert.Equal(new byte[] { 9 }, result.Buffer.ToArray());
    }

    [Fact]
    public async Task CancelPendingRead_with_no_read_pending_cancels_the_next()
    {
        _reader.CancelPendingRead();

        var result = await _reader.ReadAsync();

        Assert.True(result.IsCanceled);
    }

    [Fact]
    public async Task A_cancelled_token_ends_the_read_with_OperationCanceledException()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _reader.ReadAsync(cancel.Token).AsTask().WaitAsync(Timeout));
    }

    [Fact]
    public async Task The_peer_closing_completes_the_reader_after_its_last_bytes()
    {
        await _client.SendAsync(new byte[] { 7 });
        _client.Shutdown(SocketShutdown.Send);

        var result = await ReadAtLeastAsync(1);
        Assert.Equal(new byte[] { 7 }, result.Buffer.ToArray());
        _reader.AdvanceTo(result.Buffer.End);
        var end = await _reader.ReadAsync().AsTask().WaitAsync(Timeout);

        Assert.True(end.IsCompleted);
        Assert.True(end.Buffer.IsEmpty);
    }

    [Fact]
    public async Task A_reset_connection_fails_the_read_with_IOException()
    {
        var read = _reader.ReadAsync().AsTask();
        _client.LingerState = new LingerOption(true, 0);
        _client.Close();

        var outcome = await Record.ExceptionAsync(async () =>
        {
            // A reset may also show as the end of the stream first; the read after it fails.
            var result = await read.WaitAsync(Timeout);
            Assert.True(result.IsCompleted);
        });

        Assert.True(outcome is null or IOException, $"unexpected {outcome}");
    }

    [Fact]
    public async Task Small_flush_is_sent_at_once_and_leaves_no_buffer()
    {
        Write(_writer, [1, 2, 3]);

        var flush = _writer.FlushAsync();

        Assert.True(flush.IsCompletedSuccessfully);
        Assert.False(_writer.HoldsBuffers);
        Assert.Equal(new byte[] { 1, 2, 3 }, await ReceiveAsync(3));
    }

    [Fact]
    public async Task Flush_with_nothing_written_completes()
    {
        var flush = await _writer.FlushAsync();

        Assert.False(flush.IsCompleted);
        Assert.False(_writer.HoldsBuffers);
    }

    [Fact]
    public async Task A_batch_larger_than_the_send_buffer_waits_for_the_reader_and_arrives_in_order()
    {
        // Several segments, and more than the kernel buffers while the peer does not read.
        var data = Enumerable.Range(0, 8_000_000).Select(i => (byte)(i % 251)).ToArray();
        for (var offset = 0; offset < data.Length; offset += 1000)
        {
            Write(_writer, data.AsSpan(offset, Math.Min(1000, data.Length - offset)));
        }

        var flush = _writer.FlushAsync().AsTask();
        await Task.Delay(100);
        Assert.False(flush.IsCompleted);

        var received = await ReceiveAsync(data.Length);
        await flush.WaitAsync(Timeout);

        Assert.Equal(data, received);
        Assert.False(_writer.HoldsBuffers);
    }

    [Fact]
    public async Task Completing_during_a_blocked_flush_lets_the_flush_fail_when_the_socket_closes()
    {
        Write(_writer, new byte[8_000_000]);
        var flush = _writer.FlushAsync().AsTask();
        await Task.Delay(100);
        Assert.False(flush.IsCompleted);

        _writer.Complete();
        _server.Dispose();

        await Assert.ThrowsAnyAsync<Exception>(() => flush.WaitAsync(Timeout));
    }

    private static void Write(PipeWriter writer, ReadOnlySpan<byte> data)
    {
        var span = writer.GetSpan(data.Length);
        data.CopyTo(span);
        writer.Advance(data.Length);
    }

    private async Task<ReadResult> ReadAtLeastAsync(int length)
    {
        while (true)
        {
            var result = await _reader.ReadAsync().AsTask().WaitAsync(Timeout);
            if (result.Buffer.Length >= length || result.IsCompleted)
            {
                return result;
            }

            _reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private async Task<byte[]> ReceiveAsync(int length)
    {
        var buffer = new byte[length];
        var received = 0;
        while (received < length)
        {
            var n = await _client.ReceiveAsync(buffer.AsMemory(received)).AsTask().WaitAsync(Timeout);
            Assert.NotEqual(0, n);
            received += n;
        }

        return buffer;
    }
}
