using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace RobustMq.Gateway.Listeners;

/// <summary>
/// The output of a TCP connection, written straight to its socket: packets are encoded into buffers rented from
/// the pool, and a flush sends them with non-blocking sends on the flushing thread, going asynchronous only when
/// the kernel's send buffer is full. Buffers go back to the pool after every complete flush, so an idle connection
/// holds none. One writer (the write loop).
/// </summary>
internal sealed class SocketWriter(Socket socket) : PipeWriter
{
    private const int SegmentSize = 4096;

    private byte[]? _current;
    private int _written;

    // Filled or partly sent segments waiting for the flush, oldest first; those before _head are sent.
    private List<Segment>? _queued;
    private int _head;
    private Task? _sending;
    private bool _completed;

    /// <summary>Whether pooled buffers are held (none after a complete flush).</summary>
    internal bool HoldsBuffers => _current is not null || (_queued is not null && _head < _queued.Count);

    public override void Advance(int bytes)
    {
        if (_current is null || bytes < 0 || _written + bytes > _current.Length)
        {
            throw new InvalidOperationException($"Advance({bytes}) beyond the buffer handed out");
        }

        _written += bytes;
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureRoom(sizeHint);
        return _current.AsMemory(_written);
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureRoom(sizeHint);
        return _current.AsSpan(_written);
    }

    public override void CancelPendingFlush()
    {
        // Flushes are not cancelled: the connection ends by closing the socket, which fails a flush in progress.
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_written > 0)
        {
            if (_queued is null || _head == _queued.Count)
            {
                // The common case, one buffer: send it on this thread.
                var sent = TrySend(_current.AsSpan(0, _written));
                if (sent == _written)
                {
                    ReturnCurrent();
                    return default;
                }

                QueueCurrent(sent);
            }
            else
            {
                QueueCurrent(0);
            }
        }

        if (_queued is null || _head == _queued.Count)
        {
            return default;
        }

        // Several buffers, or the kernel's send buffer is full: send what it takes now, the rest asynchronously.
        return TrySendQueued() ? default : new ValueTask<FlushResult>(SendQueuedAsync(cancellationToken));
    }

    public override void Complete(Exception? exception = null)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        if (_sending is { IsCompleted: false } sending)
        {
            // A send still holds its buffer: it goes back to the pool once the send ends (closing the socket ends it).
            sending.ContinueWith(static (_, state) => ((SocketWriter)state!).ReturnAll(), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return;
        }

        ReturnAll();
    }

    /// <summary>Bytes sent without waiting; fewer than asked when the kernel's send buffer filled up.</summary>
    private int TrySend(ReadOnlySpan<byte> data)
    {
        var total = 0;
        while (total < data.Length)
        {
            var sent = socket.Send(data[total..], SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                return total;
            }

            if (error != SocketError.Success)
            {
                throw WriteFailed(new SocketException((int)error));
            }

            total += sent;
        }

        return total;
    }

    /// <summary>Sends queued segments while the kernel takes them; true when all went.</summary>
    private bool TrySendQueued()
    {
        var queued = _queued!;
        for (; _head < queued.Count; _head++)
        {
            var segment = queued[_head];
            var sent = TrySend(segment.Buffer.AsSpan(segment.Offset, segment.Length));
            if (sent < segment.Length)
            {
                queued[_head] = segment with { Offset = segment.Offset + sent, Length = segment.Length - sent };
                return false;
            }

            ArrayPool<byte>.Shared.Return(segment.Buffer);
        }

        queued.Clear();
        _head = 0;
        return true;
    }

    private async Task<FlushResult> SendQueuedAsync(CancellationToken cancellationToken)
    {
        var sending = SendRestAsync(cancellationToken);
        _sending = sending;
        await sending.ConfigureAwait(false);
        return default;
    }

    private async Task SendRestAsync(CancellationToken cancellationToken)
    {
        var queued = _queued!;
        try
        {
            for (; _head < queued.Count; _head++)
            {
                var segment = queued[_head];
                for (var offset = segment.Offset; offset < segment.Offset + segment.Length;)
                {
                    offset += await socket.SendAsync(segment.Buffer.AsMemory(offset, segment.Offset + segment.Length - offset), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }

                ArrayPool<byte>.Shared.Return(segment.Buffer);
            }
        }
        catch (SocketException ex)
        {
            throw WriteFailed(ex);
        }

        queued.Clear();
        _head = 0;
    }

    private static IOException WriteFailed(SocketException ex) => new($"Unable to write data to the transport connection: {ex.Message}", ex);

    /// <summary>Moves the current buffer, from <paramref name="from"/> on, to the queue of segments to send.</summary>
    private void QueueCurrent(int from)
    {
        (_queued ??= []).Add(new Segment(_current!, from, _written - from));
        _current = null;
        _written = 0;
    }

    private void EnsureRoom(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        var needed = Math.Max(sizeHint, 1);
        if (_current is not null && _current.Length - _written >= needed)
        {
            return;
        }

        if (_written > 0)
        {
            QueueCurrent(0);
        }
        else
        {
            ReturnCurrent();
        }

        _current = ArrayPool<byte>.Shared.Rent(Math.Max(needed, SegmentSize));
    }

    private void ReturnCurrent()
    {
        if (_current is not null)
        {
            ArrayPool<byte>.Shared.Return(_current);
            _current = null;
            _written = 0;
        }
    }

    private void ReturnAll()
    {
        ReturnCurrent();
        if (_queued is not null)
        {
            for (; _head < _queued.Count; _head++)
            {
                ArrayPool<byte>.Shared.Return(_queued[_head].Buffer);
            }

            _queued.Clear();
            _head = 0;
        }
    }

    private readonly record struct Segment(byte[] Buffer, int Offset, int Length);
}
