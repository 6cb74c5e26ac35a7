using RobustMq.Gateway.Connections;

namespace RobustMq.Gateway.Tests.Connections;

/// <summary>
/// Write loops rung during a read loop's turn run on the turn's thread when it ends, in ring order; outside a turn, or
/// past <see cref="ReadTurn.MaxInline"/>, on the thread pool at once. Each test runs its turn on a thread of its own
/// (the turn state is per thread).
/// </summary>
public sealed class ReadTurnTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_ring_in_a_turn_wakes_the_loop_on_the_turn_thread_when_the_turn_ends()
    {
        var bell = new Doorbell();
        var loop = await WriteLoop.StartAsync(bell);

        var (ranBeforeExit, turnThread) = await OnThreadOfItsOwn(() =>
        {
            ReadTurn.Enter();
            bell.Ring();
            var before = loop.Wakes;
            ReadTurn.Exit();
            return (before, Environment.CurrentManagedThreadId);
        });

        Assert.Equal(0, ranBeforeExit);
        Assert.Equal(1, loop.Wakes);
        Assert.Equal(turnThread, loop.LastThread);
        loop.Stop();
    }

    [Fact]
    public async Task Loops_rung_in_a_turn_run_in_ring_order_and_a_nested_turn_leaves_them_to_the_outer_one()
    {
        var order = new List<int>();
        var loops = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => WriteLoop.StartAsync(new Doorbell(), () => order.Add(i))));

        var afterInner = await OnThreadOfItsOwn(() =>
        {
            ReadTurn.Enter();
            loops[2].Bell.Ring();
            ReadTurn.Enter();
            loops[0].Bell.Ring();
            loops[1].Bell.Ring();
            ReadTurn.Exit();
            var count = order.Count;
            ReadTurn.Exit();
            return count;
        });

        Assert.Equal(0, afterInner);
        Assert.Equal([2, 0, 1], order);
        foreach (var loop in loops)
        {
            loop.Stop();
        }
    }

    [Fact]
    public async Task A_ring_outside_a_turn_wakes_the_loop_on_the_pool_not_on_the_ringing_thread()
    {
        var bell = new Doorbell();
        var loop = await WriteLoop.StartAsync(bell);

        var ringer = await OnThreadOfItsOwn(() =>
        {
            bell.Ring();
            return Environment.CurrentManagedThreadId;
        });

        await loop.WokenAsync(1);
        Assert.NotEqual(ringer, loop.LastThread);
        loop.Stop();
    }

    [Fact]
    public async Task Rings_past_the_inline_limit_go_to_the_pool_at_once()
    {
        var loops = await Task.WhenAll(Enumerable.Range(0, ReadTurn.MaxInline + 2).Select(_ => WriteLoop.StartAsync(new Doorbell())));

        var turnThread = await OnThreadOfItsOwn(() =>
        {
            ReadTurn.Enter();
            foreach (var loop in loops)
            {
                loop.Bell.Ring();
            }

            // The two past the limit do not wait for the turn to end.
            foreach (var loop in loops[ReadTurn.MaxInline..])
            {
                loop.WokenAsync(1).Wait(Timeout);
            }

            Assert.All(loops[..ReadTurn.MaxInline], loop => Assert.Equal(0, loop.Wakes));
            ReadTurn.Exit();
            return Environment.CurrentManagedThreadId;
        });

        Assert.All(loops[..ReadTurn.MaxInline], loop => Assert.Equal(turnThread, loop.LastThread));
        Assert.All(loops, loop => Assert.Equal(1, loop.Wakes));
        foreach (var loop in loops)
        {
            loop.Stop();
        }
    }

    [Fact]
    public async Task A_complete_while_a_wake_is_held_still_lets_the_loop_drain_once_and_end()
    {
        var bell = new Doorbell();
        var loop = await WriteLoop.StartAsync(bell);

        await OnThreadOfItsOwn(() =>
        {
            ReadTurn.Enter();
            bell.Ring();
            bell.Complete();
            ReadTurn.Exit();
            return 0;
        });

        await loop.Ended.WaitAsync(Timeout);
        Assert.Equal(1, loop.Wakes);
    }

    [Fact]
    public async Task A_loop_off_the_pool_yields_after_so_many_waits_in_a_row_that_completed_at_once()
    {
        var offPool = await OnThreadOfItsOwn(() =>
        {
            var inARow = default(InARow);
            var yields = new List<int>();
            for (var i = 1; i <= 3 * ReadTurn.MaxInARow; i++)
            {
                // A wait that did not complete at once starts the count again.
                if (inARow.ShouldYield(completedAtOnce: i != ReadTurn.MaxInARow + 5))
                {
                    yields.Add(i);
                }
            }

            return yields;
        });

        Assert.Equal([ReadTurn.MaxInARow, (2 * ReadTurn.MaxInARow) + 5], offPool);

        var onPool = await Task.Run(() =>
        {
            var inARow = default(InARow);
            return Enumerable.Range(0, 3 * ReadTurn.MaxInARow).Count(_ => inARow.ShouldYield(completedAtOnce: true));
        });
        Assert.Equal(0, onPool);
    }

    private static Task<T> OnThreadOfItsOwn<T>(Func<T> body)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                result.SetResult(body());
            }
            catch (Exception ex)
            {
                result.SetException(ex);
            }
        });
        thread.Start();
        return result.Task.WaitAsync(Timeout);
    }

    /// <summary>
    /// A connection's write loop in miniature: waits on its doorbell, records each wake and its thread. Started off the
    /// test's synchronization context (as the broker's loops run, with none), its wait registered before it is returned.
    /// </summary>
    private sealed class WriteLoop
    {
        private readonly Action? _onWake;
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _wakes;

        private WriteLoop(Doorbell bell, Action? onWake)
        {
            Bell = bell;
            _onWake = onWake;
        }

        public static async Task<WriteLoop> StartAsync(Doorbell bell, Action? onWake = null)
        {
            var loop = new WriteLoop(bell, onWake);
            await Task.Run(loop.Wait);
            await loop._waiting.Task.WaitAsync(Timeout);
            return loop;
        }

        public Doorbell Bell { get; }

        public Task Ended => _ended.Task;

        public int Wakes => Volatile.Read(ref _wakes);

        public int LastThread { get; private set; }

        public async Task WokenAsync(int wakes)
        {
            var end = DateTime.UtcNow + Timeout;
            while (Wakes < wakes && DateTime.UtcNow < end)
            {
                await Task.Delay(5);
            }

            Assert.True(Wakes >= wakes, $"woken {Wakes} times, expected {wakes}");
        }

        public void Stop() => Bell.Complete();

        private void Wait()
        {
            var wait = Bell.WaitAsync();
            if (wait.IsCompleted)
            {
                OnWoken(wait.Result);
                return;
            }

            var awaiter = wait.GetAwaiter();
            awaiter.UnsafeOnCompleted(() => OnWoken(awaiter.GetResult()));
            _waiting.TrySetResult();
        }

        private void OnWoken(bool rung)
        {
            if (!rung)
            {
                _ended.TrySetResult();
                return;
            }

            LastThread = Environment.CurrentManagedThreadId;
            _onWake?.Invoke();
            Interlocked.Increment(ref _wakes);
            Wait();
        }
    }
}
