using System.Diagnostics;

namespace RobustMq.Gateway.Connections;

/// <summary>
/// A token bucket of <see cref="Rate"/> tokens a second holding at most one second's worth (the burst). Taking more
/// than it holds is allowed and leaves a debt: <see cref="Take"/> answers how long the taker should wait until the
/// debt is paid, which is how a client over its rate is throttled (its socket is not read meanwhile, so TCP holds its
/// sender back). Not thread-safe: one connection's read loop (or a lock) owns it.
/// </summary>
/// <remarks>Timestamps are <see cref="TimeProvider.GetTimestamp"/> ticks, so tests can move time.</remarks>
public struct TokenBucket
{
    private double _tokens;
    private long _updated;

    /// <param name="rate">Tokens a second, above 0.</param>
    /// <param name="now">The time of creation; the bucket starts full.</param>
    public TokenBucket(double rate, long now)
    {
        Debug.Assert(rate > 0, "a bucket needs a rate");
        Rate = rate;
        _tokens = rate;
        _updated = now;
    }

    /// <summary>Tokens a second; the bucket holds as many at most.</summary>
    public double Rate { get; }

    /// <summary>
    /// Takes <paramref name="count"/> tokens at <paramref name="now"/> (ticks of <paramref name="frequency"/> a
    /// second); returns how long to wait before the bucket is out of debt (zero when it is not in debt).
    /// </summary>
    public TimeSpan Take(double count, long now, long frequency)
    {
        _tokens = Math.Min(Rate, _tokens + ((now - _updated) * Rate / frequency));
        _updated = now;
        _tokens -= count;
        return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / Rate);
    }
}
