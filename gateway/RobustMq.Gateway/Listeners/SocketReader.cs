using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace RobustMq.Gateway.Listeners;

/// <summary>
/// The input of a TCP connection, read straight off its socket: wait for data with a zero-byte receive (no
/// buffer held while idle), then take what the kernel has with a non-blocking receive into one contiguous
/// buffer rented from the pool, grown only for a packet larger than it. One reader per connection, one
/// ReadAsync at a time (the read loop); <see cref="CancelPendingRead"/> may come from any thread.
/// </summary>
/// <remarks>
/// Compared with a StreamPipeReader over a NetworkStream this holds no segment chain, no stream and no async
/// state machine per wait, and completes a read on the thread that saw the socket become readable.
/// </remarks>
internal sealed class SocketReader : PipeReader, IValueTaskSource<ReadResult>
{
    private const int MinimumBufferSize = 4096;

    private readonly Socket _socket;
    private readonly Lock _lock = new();
    private readonly Action _onReadable;
    private ManualResetValueTaskSourceCore<ReadResult> _pending;
    private ValueTask<int> _wait;
    private CancellationTokenRegistration _registration;

    private byte[]? _buffer;
    private int _start;
    private int _end;
    private bool _examinedAll;
    private bool _eof;
    private Exception? _error;
    private bool _completed;

    // Under _lock: a zero-byte receive is in flight; a ReadAsync awaits it; CancelPendingRead came first.
    private bool _waiting;
    private bool _readPending;
    private bool _cancelNext;

    public SocketReader(Socket socket)
    {
        _socket = socket;
        _onReadable = OnReadable;
    }

    /// <summary>Whether a pooled buffer is held (none while idle between packets).</summary>
    internal bool HoldsBuffer
    {
        get
        {
            lock (_lock)
            {
                return _buffer is not null;
            }
        }
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        _registration.Dispose();
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_cancelNext)
            {
                _cancelNext = false;
                return new ValueTask<ReadResult>(Result(canceled: true));
            }

            if (HasUnexamined() || _eof)
            {
                return new ValueTask<ReadResult>(Result(canceled: false));
            }

            ThrowIfFailed();
            if (!_waiting && Receive())
            {
                ThrowIfFailed();
                return new ValueTask<ReadResult>(Result(canceled: false));
            }

            _pending.Reset();
            _readPending = true;
        }

        if (cancellationToken.CanBeCanceled)
        {
            // Only the drain after a server close passes a token: no registration per read on an idle connection.
            _registration = cancellationToken.UnsafeRegister(static (state, token) => ((SocketReader)state!).EndPendingRead(new OperationCanceledException(token)), this);
        }

        return new ValueTask<ReadResult>(this, _pending.Version);
    }

    public override bool TryRead(out ReadResult result)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        lock (_lock)
        {
            if (_cancelNext)
            {
                _cancelNext = false;
                result = Result(canceled: true);
                return true;
            }

            if (HasUnexamined() || _eof)
            {
                result = Result(canceled: false);
                return true;
            }
        }

        result = default;
        return false;
    }

    /// <summary>
    /// Takes what the kernel holds now into the buffer, without waiting, for <see cref="TryRead"/> to see (a connection
    /// taken over looks at what its client sent last). Nothing after the end of the stream, an error or completion.
    /// </summary>
    internal void ReceiveAvailable()
    {
        lock (_lock)
        {
            if (!_completed && !_eof && _error is null)
            {
                TryReceive();
            }
        }
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        lock (_lock)
        {
            if (_buffer is null)
            {
                return;
            }

            // Positions of a single-array sequence carry the array and an index into it.
            var consumedAt = IndexOf(consumed);
            var examinedAt = IndexOf(examined);
            _examinedAll = examinedAt >= _end;
            _start = consumedAt;
            if (_start == _end)
            {
                _start = _end = 0;
                _examinedAll = false;
            }
        }
    }

    public override void CancelPendingRead() => EndPendingRead(null);

    public override void Complete(Exception? exception = null)
    {
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;

            // A zero-byte receive still in flight touches no buffer; it ends when the socket closes.
            ReturnBuffer();
        }
    }

    ReadResult IValueTaskSource<ReadResult>.GetResult(short token) => _pending.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<ReadResult>.GetStatus(short token) => _pending.GetStatus(token);

    void IValueTaskSource<ReadResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _pending.OnCompleted(continuation, state, token, flags);

    private bool HasUnexamined() => _end > _start && !_examinedAll;

    private ReadResult Result(bool canceled) =>
        new(_buffer is null ? default : new ReadOnlySequence<byte>(_buffer, _start, _end - _start), canceled, _eof);

    private int IndexOf(SequencePosition position) =>
        ReferenceEquals(position.GetObject(), _buffer) ? position.GetInteger() & int.MaxValue : _start;

    private void ThrowIfFailed()
    {
        if (Failure() is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>What a read throws after the socket failed: IOException as a stream would, or ObjectDisposedException.</summary>
    private Exception? Failure() => _error is null or ObjectDisposedException ? _error : new IOException(_error.Message, _error);

    /// <summary>
    /// Takes what the kernel holds, waiting for it without a buffer when it holds nothing: true when there is
    /// data, the end of the stream or an error; false when a wait is now in flight. Under the lock, with no
    /// result handed out that the read loop still looks at.
    /// </summary>
    private bool Receive()
    {
        while (true)
        {
            if (TryReceive())
            {
                return true;
            }

            _waiting = true;
            try
            {
                _wait = _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                _waiting = false;
                _error ??= ex;
                return true;
            }

            if (!_wait.IsCompleted)
            {
                _wait.GetAwaiter().UnsafeOnCompleted(_onReadable);
                return false;
            }

            if (WaitFailed())
            {
                return true;
            }
        }
    }

    /// <summary>The zero-byte receive ended; true when it ended in an error (the socket was reset or closed).</summary>
    private bool WaitFailed()
    {
        _waiting = false;
        try
        {
            _wait.GetAwaiter().GetResult();
            return false;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            _error ??= ex;
            return true;
        }
    }

    /// <summary>A non-blocking receive of what the kernel holds. False when it holds nothing yet.</summary>
    private bool TryReceive()
    {
        EnsureRoom();
        int received;
        SocketError error;
        try
        {
            received = _socket.Receive(_buffer.AsSpan(_end), SocketFlags.None, out error);
        }
        catch (ObjectDisposedException ex)
        {
            // Closed under us (the connection is being cut off); also reached from the readable callback, which must not throw.
            _error ??= ex;
            return true;
        }

        switch (error)
        {
            case SocketError.Success when received == 0:
                _eof = true;
                return true;
            case SocketError.Success:
                _end += received;
                _examinedAll = false;
                return true;
            case SocketError.WouldBlock:
                if (_end == _start)
                {
                    // Idle: wait without holding a buffer.
                    ReturnBuffer();
                }

                return false;
            default:
                _error = new SocketException((int)error);
                return true;
        }
    }

    private void EnsureRoom()
    {
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(MinimumBufferSize);
            return;
        }

        if (_end < _buffer.Length)
        {
            return;
        }

        var length = _end - _start;
        if (_start > 0 && length < _buffer.Length / 2)
        {
            // Room at the front: move the partial packet there.
            _buffer.AsSpan(_start, length).CopyTo(_buffer);
        }
        else
        {
            // A packet larger than the buffer (the decoder bounds it by the maximum packet size first).
            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(_start, length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        _start = 0;
        _end = length;
    }

    private void ReturnBuffer()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            _start = _end = 0;
        }
    }

    /// <summary>The socket became readable (or failed): serve the waiting read, on this thread.</summary>
    private void OnReadable()
    {
        ReadResult result;
        Exception? failure;
        lock (_lock)
        {
            var failed = WaitFailed();
            if (_completed || !_readPending)
            {
                // Nobody reads now (the read was cancelled): the next ReadAsync receives, or sees the error.
                return;
            }

            if (!failed && !Receive())
            {
                // Readable, yet nothing to take: waiting again.
                return;
            }

            _readPending = false;
            failure = Failure();
            result = Result(canceled: false);
        }

        _pending.RunContinuationsAsynchronously = false;
        if (failure is not null)
        {
            _pending.SetException(failure);
        }
        else
        {
            _pending.SetResult(result);
        }
    }

    /// <summary>Ends a pending read as cancelled (no error: CancelPendingRead) or with an error (a token); with none pending, the next read.</summary>
    private void EndPendingRead(Exception? error)
    {
        ReadResult result;
        lock (_lock)
        {
            if (!_readPending)
            {
                _cancelNext |= error is null;
                return;
            }

            _readPending = false;
            result = Result(canceled: true);
        }

        // From any thread: the read loop must not go on on the caller's (a grain turn, another connection's loop).
        _pending.RunContinuationsAsynchronously = true;
        if (error is null)
        {
            _pending.SetResult(result);
        }
        else
        {
            _pending.SetException(error);
        }
    }
}
