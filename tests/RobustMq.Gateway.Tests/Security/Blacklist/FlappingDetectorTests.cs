using RobustMq.Gateway.Security.Blacklist;

namespace RobustMq.Gateway.Tests.Security.Blacklist;

public sealed class FlappingDetectorTests
{
    private static FlappingDetector Detector(bool enabled = true) =>
        new(new FlappingOptions { Enabled = enabled, MaxConnects = 3, WindowSeconds = 10, BanSeconds = 60 });

    [Fact]
    public void The_connect_past_the_limit_in_a_window_is_flapping_and_the_count_starts_again()
    {
        var detector = Detector();
        Assert.False(detector.Connected("c", 0));
        Assert.False(detector.Connected("c", 1_000));
        Assert.False(detector.Connected("c", 2_000));
        Assert.True(detector.Connected("c", 3_000));
        Assert.False(detector.Connected("c", 3_001));
        Assert.False(detector.Connected("other", 3_002));
    }

    [Fact]
    public void Connects_spread_over_more_than_a_window_are_not_flapping()
    {
        var detector = Detector();
        for (var i = 0; i < 12; i++)
        {
            Assert.False(detector.Connected("c", i * 4_000L), $"connect {i}");
        }
    }

    [Fact]
    public void Off_counts_nothing_and_a_sweep_forgets_ended_windows()
    {
        var off = Detector(enabled: false);
        for (var i = 0; i < 10; i++)
        {
            Assert.False(off.Connected("c", 0));
        }

        Assert.Equal(0, off.Tracked);
        var on = Detector();
        on.Connected("a", 0);
        on.Connected("b", 9_000);
        on.Sweep(10_000);
        Assert.Equal(1, on.Tracked);
    }

    [Fact]
    public async Task Concurrent_connects_of_one_client_id_are_each_counted()
    {
        var detector = new FlappingDetector(new FlappingOptions { Enabled = true, MaxConnects = 1_000, WindowSeconds = 60, BanSeconds = 60 });
        var flagged = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                if (detector.Connected("c", 1))
                {
                    Interlocked.Increment(ref flagged);
                }
            }
        })));
        // 2,000 connects, 1,001st flagged; the count starts again after it and reaches 999 more: one flag exactly.
        Assert.Equal(1, flagged);
    }
}
