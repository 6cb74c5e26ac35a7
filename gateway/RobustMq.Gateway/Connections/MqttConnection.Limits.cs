using RobustMq.Abstractions.Options;
using RobustMq.Gateway.Metrics;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Connections;

/// <summary>The client's message and byte rates (<c>Mqtt:MaxMessageRate</c>, <c>Mqtt:MaxByteRate</c>, <c>Mqtt:RateExceeded</c>).</summary>
public sealed partial class MqttConnection
{
    // Null when the rate is not limited (read loop only).
    private readonly ClientRate? _messageRate;
    private readonly ClientRate? _byteRate;

    /// <summary>Whether a rate asks the read loop to wait before it reads on.</summary>
    private bool OverRate => (_messageRate?.Owed ?? false) || (_byteRate?.Owed ?? false);

    /// <summary>
    /// A client over its rate: with <c>Throttle</c> its socket is not read until the debt is paid (TCP then holds the
    /// sender back; what it sent is not lost, and the wait counts as traffic for keep-alive); with <c>Disconnect</c>,
    /// once connected, it gets DISCONNECT 0x96 Message rate too high (messages) or 0x97 Quota exceeded (bytes) on
    /// MQTT 5, a plain close on 3.1.x. Counted either way (<c>robustmq_overload_total</c>).
    /// </summary>
    private async ValueTask ThrottleAsync()
    {
        var messages = _messageRate?.TakeOwed() ?? TimeSpan.Zero;
        var bytes = _byteRate?.TakeOwed() ?? TimeSpan.Zero;
        var byMessages = messages >= bytes;
        _services.Metrics.Overload(byMessages ? OverloadLimits.MessageRate : OverloadLimits.ByteRate);
        if (_services.Options.RateExceeded == RateExceededAction.Disconnect && _connected)
        {
            var reason = byMessages ? ReasonCode.MessageRateTooHigh : ReasonCode.QuotaExceeded;
            _endReason ??= byMessages
                ? $"over Mqtt:MaxMessageRate ({_services.Options.MaxMessageRate}/s)"
                : $"over Mqtt:MaxByteRate ({_services.Options.MaxByteRate} bytes/s)";
            SendDisconnectAndClose(reason);
            return;
        }

        // In steps of at most a second, each counted as traffic for keep-alive: the client did send, it is this broker
        // that does not read (a long throttle must not look like a silent client).
        var left = byMessages ? messages : bytes;
        while (left > TimeSpan.Zero)
        {
            var step = left < MaxThrottleStep ? left : MaxThrottleStep;
            _keepAlive.Received();
            try
            {
                await Task.Delay(step, _services.Clock, _closed.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            left -= step;
        }

        _keepAlive.Received();
    }

    private static readonly TimeSpan MaxThrottleStep = TimeSpan.FromSeconds(1);

    private static ClientRate? RateOf(double perSecond, TimeProvider clock) => perSecond > 0 ? new ClientRate(perSecond, clock) : null;
}

/// <summary>One client's rate of messages or bytes: a <see cref="TokenBucket"/> and the longest wait it asked for since last read.</summary>
internal sealed class ClientRate(double perSecond, TimeProvider clock)
{
    private TokenBucket _bucket = new(perSecond, clock.GetTimestamp());
    private TimeSpan _owed;

    /// <summary>Whether the client owes a wait.</summary>
    public bool Owed => _owed > TimeSpan.Zero;

    /// <summary>Takes <paramref name="count"/> messages or bytes.</summary>
    public void Take(double count)
    {
        var wait = _bucket.Take(count, clock.GetTimestamp(), clock.TimestampFrequency);
        if (wait > _owed)
        {
            _owed = wait;
        }
    }

    /// <summary>The wait owed, which is then cleared.</summary>
    public TimeSpan TakeOwed()
    {
        var owed = _owed;
        _owed = TimeSpan.Zero;
        return owed;
    }
}
