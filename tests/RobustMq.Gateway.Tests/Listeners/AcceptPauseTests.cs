using RobustMq.Gateway.Listeners;

namespace RobustMq.Gateway.Tests.Listeners;

/// <summary>How long the TCP accept loop pauses after failures in a row (out of descriptors, a full system file table).</summary>
public sealed class AcceptPauseTests
{
    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 20)]
    [InlineData(5, 160)]
    [InlineData(7, 640)]
    [InlineData(8, 1000)]
    [InlineData(1000, 1000)]
    public void Pause_doubles_from_10_ms_up_to_a_second(int failures, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), TcpSocketListener.AcceptPause(failures));
}
