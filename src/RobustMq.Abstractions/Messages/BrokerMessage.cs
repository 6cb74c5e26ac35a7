namespace RobustMq.Abstractions.Messages;

/// <summary>
/// One published application message, shared by every subscriber that receives it. Immutable: Orleans
/// passes it by reference on local calls, and the payload array is never copied after decoding.
/// <see cref="MessageId"/> (EMQX's message id) names this publication: set once when the broker accepts it
/// (<see cref="MessageIds.New"/>), kept by every copy and stored with it, so a copy that may have reached a session
/// already is known as one (<c>ISessionGrain.EnqueueAgain</c>); <see cref="Guid.Empty"/> for none.
/// <see cref="ArrivedAtUnixMs"/>: when the broker received it from its publisher (Unix ms, the receiving node's clock),
/// for slow subscriptions (EMQX's <c>slow_subs</c>: arrival to the subscriber's acknowledgement); 0 when not known
/// (a will, a <c>$SYS</c> or API publish, a message read back from storage).
/// </summary>
[GenerateSerializer, Immutable, Alias("robustmq.msg.v1")]
public sealed record BrokerMessage(
    [property: Id(0)] string Topic,
    [property: Id(1)] ReadOnlyMemory<byte> Payload,
    [property: Id(2)] byte QoS,
    [property: Id(3)] bool Retain,
    [property: Id(4)] MessageProperties? Properties = null,
    [property: Id(5)] string? PublisherClientId = null,
    [property: Id(6)] long ExpiresAtUnixMs = 0,
    [property: Id(7)] Guid MessageId = default,
    [property: Id(8)] long ArrivedAtUnixMs = 0)
{
    /// <summary>True when the message expiry interval has passed at <paramref name="nowUnixMs"/>.</summary>
    public bool IsExpired(long nowUnixMs) => ExpiresAtUnixMs != 0 && nowUnixMs >= ExpiresAtUnixMs;

    /// <summary>The expiry interval left, rounded up, for the PUBLISH sent on (MQTT-3.3.2-6); null when none.</summary>
    public uint? RemainingExpirySeconds(long nowUnixMs)
    {
        if (ExpiresAtUnixMs == 0)
        {
            return null;
        }

        var leftMs = Math.Max(0, ExpiresAtUnixMs - nowUnixMs);
        return (uint)((leftMs + 999) / 1000);
    }
}
