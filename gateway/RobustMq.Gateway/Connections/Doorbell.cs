using System.Threading.Tasks.Sources;

namespace RobustMq.Gateway.Connections;

/// <summary>
/// Wakes a connection's write loop: any thread rings, one loop waits. A ring while the loop is busy is kept
/// (the next wait returns at once); many rings fold into one. After <see cref="Complete"/> a pending ring is
/// still handed out once, then waits return false. One small object, no allocation per wait (it replaces a
/// bounded channel, which cost ~500 bytes per idle connection). A ring during a <see cref="ReadTurn"/> wakes the
/// loop on the ringing thread when that turn ends; any other ring wakes it on the thread pool.
/// </summary>
internal sealed class Doorbell : IValueTaskSource<bool>
{
    private const int Rung = 1;
    private const int Waiting = 2;
    private const int Closed = 4;

    private ManualResetValueTaskSourceCore<bool> _core;
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
                    // Neither waiting nor rung until the loop runs: a ring meanwhile sets Rung, a Complete sets Closed,
                    // and the loop sees either at its next wait.
                    if (!ReadTurn.Defer(this))
                    {
                        Wake(true, inline: false);
                    }

                    return;
                }
            }
            else if (Interlocked.CompareExchange(ref _state, state | Rung, state) == state)
            {
                return;
            }
        }
    }

    /// <summary>Runs the loop a deferred <see cref="Ring"/> woke, on this thread (the end of a <see cref="ReadTurn"/>).</summary>
    internal void WakeInline() => Wake(true, inline: true);

    /// <summary>Runs the loop a deferred <see cref="Ring"/> woke, on the thread pool.</summary>
    internal void WakeOnPool() => Wake(true, inline: false);

    private void Wake(bool rung, bool inline)
    {
        // Set by the one thread that won the Waiting bit, before the completion reads it.
        _core.RunContinuationsAsynchronously = !inline;
        _core.SetResult(rung);
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
                    Wake(false, inline: false);
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
