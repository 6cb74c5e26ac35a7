using RobustMq.Gateway.Connections;
using RobustMq.Gateway.Metrics;

namespace RobustMq.Gateway.Listeners;

/// <summary>
/// A listener's connection rate (<c>Listeners:…:MaxConnectionRate</c>, EMQX's <c>max_conn_rate</c>): at most that many
/// new connections a second are taken on (a second's worth at once), the rest wait their turn before their TLS handshake
/// or CONNECT is read (in the kernel's listen backlog for plain TCP, one at a time). On a Kestrel listener, where they
/// are accepted already and would wait side by side, one whose turn is more than <see cref="MaxWait"/> away is closed at
/// once instead (<see cref="TryTakeTurn"/>): a flood cannot queue up waits that shut real clients out for long. Each
/// wait and each such close is counted (<c>robustmq_overload_total{limit="connection_rate"}</c>). Thread-safe.
/// </summary>
public sealed class AcceptRate
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _clock;
    private readonly BrokerMetrics _metrics;
    private TokenBucket _bucket;

    /// <param name="perSecond">Connections a second, above 0.</param>
    public AcceptRate(int perSecond, TimeProvider clock, BrokerMetrics metrics)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        _clock = clock;
        _metrics = metrics;
        _bucket = new TokenBucket(perSecond, clock.GetTimestamp());
    }

    /// <summary>The longest an accepted connection waits for its turn (<see cref="TryTakeTurn"/>).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Takes this connection's turn: false (nothing taken, counted) when it is more than <see cref="MaxWait"/> away, the
    /// connection then to be closed; otherwise <paramref name="wait"/> is how long it waits first.
    /// </summary>
    public bool TryTakeTurn(out TimeSpan wait)
    {
        lock (_lock)
        {
            var now = _clock.GetTimestamp();
            wait = _bucket.Take(1, now, _clock.TimestampFrequency);
            if (wait > MaxWait)
            {
                _bucket.Take(-1, now, _clock.TimestampFrequency);
            }
        }

        if (wait > TimeSpan.Zero)
        {
            _metrics.Overload(OverloadLimits.ConnectionRate);
        }

        return wait <= MaxWait;
    }

    /// <summary>Takes this connection's turn, waiting for it when the listener is over its rate.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> ended the wait.</exception>
    public ValueTask WaitTurnAsync(CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (_lock)
        {
            wait = _bucket.Take(1, _clock.GetTimestamp(), _clock.TimestampFrequency);
        }

        if (wait <= TimeSpan.Zero)
        {
            return ValueTask.CompletedTask;
        }

        _metrics.Overload(OverloadLimits.ConnectionRate);
        return new ValueTask(Task.Delay(wait, _clock, cancellationToken));
    }
}
