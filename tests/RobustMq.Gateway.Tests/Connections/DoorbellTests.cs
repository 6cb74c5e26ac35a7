using RobustMq.Gateway.Connections;

namespace RobustMq.Gateway.Tests.Connections;

public sealed class DoorbellTests
{
    [Fact]
    public async Task A_ring_before_the_wait_is_kept_and_many_rings_fold_into_one()
    {
        var bell = new Doorbell();
        bell.Ring();
        bell.Ring();

        var first = bell.WaitAsync();
        var second = bell.WaitAsync();

        Assert.True(first.IsCompleted);
        Assert.True(await first);
        Assert.False(second.IsCompleted);
        bell.Ring();
        Assert.True(await second.AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Completing_hands_out_a_pending_ring_once_then_ends_the_waits()
    {
        var bell = new Doorbell();
        bell.Ring();
        bell.Complete();

        Assert.True(await bell.WaitAsync());
        Assert.False(await bell.WaitAsync());
        bell.Ring();
        Assert.False(await bell.WaitAsync());
    }

    [Fact]
    public async Task Completing_wakes_a_waiting_loop_with_false()
    {
        var bell = new Doorbell();
        var waiting = bell.WaitAsync().AsTask();

        bell.Complete();

        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Rings_from_many_threads_always_wake_the_loop_after_the_last_one()
    {
        var bell = new Doorbell();
        var rung = 0;
        var seen = 0;
        var loop = Task.Run(async () =>
        {
            while (await bell.WaitAsync())
            {
                Volatile.Write(ref seen, Volatile.Read(ref rung));
            }
        });

        await Parallel.ForAsync(0, 10_000, (i, _) =>
        {
            Interlocked.Increment(ref rung);
            bell.Ring();
            return ValueTask.CompletedTask;
        });

        // A ring not yet seen survives Complete: the loop wakes once more and sees the last increment.
        bell.Complete();
        await loop.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(10_000, Volatile.Read(ref seen));
    }
}
