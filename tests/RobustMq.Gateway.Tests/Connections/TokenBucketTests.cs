using FsCheck.Xunit;
using RobustMq.Gateway.Connections;

namespace RobustMq.Gateway.Tests.Connections;

public sealed class TokenBucketTests
{
    private const long Frequency = 1_000; // ticks of a millisecond

    [Fact]
    public void A_full_bucket_gives_one_seconds_worth_then_asks_to_wait_for_the_debt()
    {
        var bucket = new TokenBucket(rate: 10, now: 0);

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(TimeSpan.Zero, bucket.Take(1, 0, Frequency));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(100), bucket.Take(1, 0, Frequency));
        Assert.Equal(TimeSpan.FromMilliseconds(200), bucket.Take(1, 0, Frequency));
        // After the wait asked for, the debt is paid.
        Assert.Equal(TimeSpan.Zero, bucket.Take(0, 200, Frequency));
    }

    [Fact]
    public void An_idle_bucket_refills_to_one_second_and_no_more()
    {
        var bucket = new TokenBucket(rate: 100, now: 0);
        bucket.Take(100, 0, Frequency);

        Assert.Equal(TimeSpan.Zero, bucket.Take(100, 60_000, Frequency));
        Assert.Equal(TimeSpan.FromMilliseconds(10), bucket.Take(1, 60_000, Frequency));
    }

    /// <summary>
    /// Whatever is taken when, a taker that waits as told never gets more than the burst plus the rate times the time
    /// gone by: the throttle holds a client to its rate.
    /// </summary>
    [Property(MaxTest = 300)]
    public bool A_taker_that_waits_as_told_keeps_within_the_rate(byte rate, byte[] takes, byte[] pauses)
    {
        var perSecond = rate % 50 + 1;
        var bucket = new TokenBucket(perSecond, now: 0);
        long now = 0;
        double taken = 0;
        for (var i = 0; i < takes.Length; i++)
        {
            var count = takes[i] % 20;
            now += (long)bucket.Take(count, now, Frequency).TotalMilliseconds + 1;
            taken += count;
            if (taken > perSecond + (perSecond * now / (double)Frequency))
            {
                return false;
            }

            now += pauses.Length == 0 ? 0 : pauses[i % pauses.Length];
        }

        return true;
    }
}
