namespace RobustMq.Gateway.Channel;

/// <summary>
/// The deadlines of one connection, from <see cref="TimeProvider"/> timestamps: CONNECT must come within the connect
/// timeout, and after it a packet within one and a half keep-alive periods (MQTT-3.1.2-24 in 3.1.1, MQTT-3.1.2-22 in 5).
/// A struct held in a field of its connection (idle connections stay small): call it on that field, never on a copy.
/// <see cref="Received"/> is called by the read loop and the checks by the node heartbeat on another thread, so the
/// last-received timestamp is read and written volatile.
/// </summary>
public struct KeepAliveMonitor
{
    private readonly TimeProvider _clock;
    private readonly long _startedAt;
    private long _lastReceived;
    private int _seconds;

    /// <summary>Starts the CONNECT deadline at <paramref name="clock"/>'s current timestamp.</summary>
    public KeepAliveMonitor(TimeProvider clock)
    {
        _clock = clock;
        _startedAt = clock.GetTimestamp();
        _lastReceived = _startedAt;
    }

    /// <summary>The keep-alive in force, in seconds; 0 means none (never overdue).</summary>
    public readonly int Seconds => _seconds;

    /// <summary>
    /// How long the connection may stay silent before it is overdue: 1.5 × the keep-alive; null when it has none.
    /// </summary>
    public readonly TimeSpan? Limit => _seconds > 0 ? TimeSpan.FromSeconds(_seconds * 1.5) : null;

    /// <summary>Sets the negotiated keep-alive in seconds (0-65535; 0: none), once, at CONNECT.</summary>
    public void Start(int keepAliveSeconds) => _seconds = keepAliveSeconds;

    /// <summary>A packet arrived now: the keep-alive period starts again.</summary>
    public void Received() => Volatile.Write(ref _lastReceived, _clock.GetTimestamp());

    /// <summary>
    /// True when no packet came for longer than <see cref="Limit"/> before <paramref name="now"/> (a timestamp of the
    /// same clock): close the connection as a network failure (MQTT 5: DISCONNECT 0x8D Keep Alive timeout).
    /// </summary>
    public bool IsOverdue(long now) =>
        Limit is { } limit && _clock.GetElapsedTime(Volatile.Read(ref _lastReceived), now) > limit;

    /// <summary>
    /// True when more than <paramref name="connectTimeout"/> passed from the start to <paramref name="now"/>: for a
    /// connection that has not sent CONNECT yet, which is then cut off.
    /// </summary>
    public readonly bool IsConnectOverdue(long now, TimeSpan connectTimeout) =>
        _clock.GetElapsedTime(_startedAt, now) > connectTimeout;
}
