using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using RobustMq.Gateway.Channel;

namespace RobustMq.Gateway.Tests.Channel;

public sealed class KeepAliveMonitorTests
{
    private readonly FakeTimeProvider _clock = new();

    private KeepAliveMonitor Started(int keepAliveSeconds)
    {
        var monitor = new KeepAliveMonitor(_clock);
        monitor.Start(keepAliveSeconds);
        return monitor;
    }

    [Fact]
    public void Connection_is_not_overdue_at_exactly_one_and_a_half_keep_alives()
    {
        var monitor = Started(10);

        _clock.Advance(TimeSpan.FromSeconds(15));

        Assert.False(monitor.IsOverdue(_clock.GetTimestamp()));
    }

    [Fact]
    public void Connection_is_overdue_just_after_one_and_a_half_keep_alives()
    {
        var monitor = Started(10);

        _clock.Advance(TimeSpan.FromSeconds(15) + TimeSpan.FromMilliseconds(1));

        Assert.True(monitor.IsOverdue(_clock.GetTimestamp()));
    }

    [Fact]
    public void A_received_packet_starts_the_period_again()
    {
        var monitor = Started(10);
        _clock.Advance(TimeSpan.FromSeconds(14));

        monitor.Received();
        _clock.Advance(TimeSpan.FromSeconds(14));

        Assert.False(monitor.IsOverdue(_clock.GetTimestamp()));
    }

    [Fact]
    public void Keep_alive_0_is_never_overdue()
    {
        var monitor = Started(0);

        _clock.Advance(TimeSpan.FromDays(3));

        Assert.False(monitor.IsOverdue(_clock.GetTimestamp()));
        Assert.Null(monitor.Limit);
    }

    [Fact]
    public void Limit_is_one_and_a_half_keep_alives()
    {
        Assert.Equal(TimeSpan.FromSeconds(1.5), Started(1).Limit);
        Assert.Equal(TimeSpan.FromSeconds(98_302.5), Started(65535).Limit);
        Assert.Equal(65535, Started(65535).Seconds);
    }

    [Fact]
    public void Silence_before_connect_counts_towards_the_keep_alive()
    {
        var monitor = new KeepAliveMonitor(_clock);
        _clock.Advance(TimeSpan.FromSeconds(5));

        monitor.Start(2);

        Assert.True(monitor.IsOverdue(_clock.GetTimestamp()));
    }

    [Fact]
    public void Connect_is_overdue_only_after_the_connect_timeout()
    {
        var monitor = new KeepAliveMonitor(_clock);
        var timeout = TimeSpan.FromSeconds(10);

        _clock.Advance(timeout);
        Assert.False(monitor.IsConnectOverdue(_clock.GetTimestamp(), timeout));

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(monitor.IsConnectOverdue(_clock.GetTimestamp(), timeout));
    }

    [Fact]
    public void Connect_deadline_does_not_move_with_received_packets()
    {
        var monitor = new KeepAliveMonitor(_clock);
        _clock.Advance(TimeSpan.FromSeconds(8));

        monitor.Received();
        _clock.Advance(TimeSpan.FromSeconds(3));

        Assert.True(monitor.IsConnectOverdue(_clock.GetTimestamp(), TimeSpan.FromSeconds(10)));
    }

    [Property(MaxTest = 500)]
    public Property Overdue_exactly_when_silence_exceeds_one_and_a_half_keep_alives() =>
        Prop.ForAll(
            Gen.Choose(1, 65535).ToArbitrary(),
            Gen.Choose(0, 200_000_000).ToArbitrary(),
            (keepAlive, silenceMs) =>
            {
                var clock = new FakeTimeProvider();
                var monitor = new KeepAliveMonitor(clock);
                monitor.Start(keepAlive);

                clock.Advance(TimeSpan.FromMilliseconds(silenceMs));

                Assert.Equal(silenceMs > keepAlive * 1500L, monitor.IsOverdue(clock.GetTimestamp()));
            });
}
