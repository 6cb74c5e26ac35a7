namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>
/// Cuts whole MQTT packets (fixed header, Remaining Length, body) out of what a transport receives, for the raw test
/// clients. It checks nothing but the framing: the tests decide what a packet must be.
/// </summary>
public sealed class RawPacketReader(Func<Memory<byte>, CancellationToken, ValueTask<int>> receive)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>The next packet, or null when the stream ended first (the receive function returned 0).</summary>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> fires first.</exception>
    public async Task<RawPacket?> ReadAsync(CancellationToken cancellationToken)
    {
        var first = await ReadByteAsync(cancellationToken);
        if (first < 0)
        {
            return null;
        }

        var length = 0;
        for (var shift = 0; ; shift += 7)
        {
            var digit = await ReadByteAsync(cancellationToken);
            if (digit < 0)
            {
                return null;
            }

            length |= (digit & 0x7F) << shift;
            if ((digit & 0x80) == 0)
            {
                break;
            }
        }

        var body = new byte[length];
        var read = 0;
        while (read < length)
        {
            if (_start == _end && !await FillAsync(cancellationToken))
            {
                return null;
            }

            var n = Math.Min(length - read, _end - _start);
            _buffer.AsSpan(_start, n).CopyTo(body.AsSpan(read));
            _start += n;
            read += n;
        }

        return new RawPacket((byte)first, body);
    }

    private async ValueTask<int> ReadByteAsync(CancellationToken cancellationToken)
    {
        if (_start == _end && !await FillAsync(cancellationToken))
        {
            return -1;
        }

        return _buffer[_start++];
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        var n = await receive(_buffer, cancellationToken);
        _start = 0;
        _end = n;
        return n > 0;
    }
}
