using System.Threading.Tasks.Sources;

namespace RobustMq.Gateway.Connections;

/// <summary>
/// Wakes a connection's write loop: any thread rings, one loop waits. A ring while the loop is busy is kept
/// (the next wait returns at once); many rings fold into one. After <see cref="Complete"/> a pending ring is
/// still handed out once, then waits return false. One small object, no allocation per wait (it replaces a
/// bounded channel, which cost ~500 bytes per idle connection).
/// </summary>
internal sealed class Doorbell : IValueTaskSource<bool>
{
    private const int Rung = 1;
    private const int Waiting = 2;
    private const int Closed = 4;

    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private int _state;

    /// <summary>True when rung (drain the queue), false once completed.</summary>
    public ValueTask<bool> WaitAsync()
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if ((state & Rung) != 0)
            {
                if (Interlocked.CompareExchange(ref _state, state & ~Rung, state) == state)
                {
                    return new ValueTask<bool>(true);
                }
            }
            else if ((state & Closed) != 0)
            {
                return new ValueTask<bool>(false);
            }
            else
            {
                // Only the waiter resets, and ringers touch the core only after seeing Waiting, set below.
                _core.Reset();
                if (Interlocked.CompareExchange(ref _state, state | Waiting, state) == state)
                {
                    return new ValueTask<bool>(this, _core.Version);
                }
            }
        }
    }

    public void Ring()
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if ((state & (Rung | Closed)) != 0)
            {
                return;
            }

            if ((state & Waiting) != 0)
            {
                if (Interlocked.CompareExchange(ref _state, state & ~Waiting, state) == state)
                {
                    _core.SetResult(true);
                    return;
                }
            }
            else if (Interlocked.CompareExchange(ref _state, state | Rung, state) == state)
            {
                return;
            }
        }
    }

    public void Complete()
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if ((state & Closed) != 0)
            {
                return;
            }

            if ((state & Waiting) != 0)
            {
                if (Interlocked.CompareExchange(ref _state, Closed, state) == state)
                {
                    _core.SetResult(false);
                    return;
                }
            }
            else if (Interlocked.CompareExchange(ref _state, state | Closed, state) == state)
            {
                return;
            }
        }
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
