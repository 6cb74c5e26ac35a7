using System.Threading.Channels;

namespace RobustMq.Benchmarks.Load;

/// <summary>An auto-reset event for one async waiter: <see cref="Set"/> any number of times, one wake-up.</summary>
public sealed class AsyncSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public void Set() => _channel.Writer.TryWrite(true);

    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        while (!_channel.Reader.TryRead(out _))
        {
            await _channel.Reader.WaitToReadAsync(cancellationToken);
        }
    }
}
