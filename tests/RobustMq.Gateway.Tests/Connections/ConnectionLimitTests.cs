using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RobustMq.Gateway.Connections;
using RobustMq.Gateway.Listeners;
using RobustMq.Gateway.Metrics;

namespace RobustMq.Gateway.Tests.Connections;

public sealed class ConnectionLimitTests
{
    [Theory]
    [InlineData(20_000L, 250, 19_494)]
    [InlineData(1_024L, 300, 468)]
    [InlineData(400L, 300, 1)]
    public void Default_capacity_is_the_open_file_limit_less_what_is_open_and_the_reserve(long limit, int open, int expected) =>
        Assert.Equal(expected, ConnectionLimit.FromOpenFileLimit(limit, open));

    [Fact]
    public void No_readable_limit_means_no_limit() => Assert.Equal(int.MaxValue, ConnectionLimit.FromOpenFileLimit(null, 100));

    [Fact]
    public void The_open_file_limit_of_this_process_is_read_from_proc()
    {
        var limit = ConnectionLimit.OpenFileLimit();

        Assert.NotNull(limit);
        Assert.InRange(limit.Value, 64, long.MaxValue);
    }

    [Fact]
    public void Places_are_taken_up_to_the_capacity_and_given_back()
    {
        var metrics = new BrokerMetrics();
        var limit = new ConnectionLimit(Options.Create(new ListenerOptions { MaxConnections = 2 }), metrics, TimeProvider.System, NullLogger<ConnectionLimit>.Instance);

        Assert.True(limit.TryAcquire());
        Assert.True(limit.TryAcquire());
        Assert.False(limit.TryAcquire());
        Assert.Equal(2, limit.Open);
        Assert.Equal(1, metrics.ConnectionsRefused.Value);

        limit.Release();
        Assert.True(limit.TryAcquire());
    }
}
