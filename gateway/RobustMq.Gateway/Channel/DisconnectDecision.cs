using RobustMq.Abstractions.Options;
using RobustMq.Abstractions.Sessions;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Channel;

/// <summary>
/// How a connection ended, as its session needs to know: what became of the will (<see cref="Kind"/>) and the Session
/// Expiry Interval a client's DISCONNECT set. Pure: no grains, no socket, no clock.
/// </summary>
/// <param name="Kind">Normal (will discarded), NormalWithWill, Abnormal or TakenOver (will published).</param>
/// <param name="SessionExpirySeconds">
/// The Session Expiry Interval the DISCONNECT set, in seconds, at most <c>Mqtt:MaxSessionExpiry</c>; null when it set
/// none (the CONNECT's stands).
/// </param>
public readonly record struct DisconnectDecision(DisconnectKind Kind, uint? SessionExpirySeconds)
{
    /// <summary>
    /// A DISCONNECT from the client. Only 0x00 Normal disconnection discards the will (MQTT-3.14.4-3; MQTT 5 section
    /// 3.1.2.5: the will is published unless deleted on a DISCONNECT with 0x00); 0x04 Disconnect with Will Message and
    /// error reason codes keep it (3.1.x has only 0x00). A Session Expiry Interval property replaces the CONNECT's, capped by
    /// <c>Mqtt:MaxSessionExpiry</c>. Throws <see cref="MqttProtocolException"/> 0x82 Protocol Error when the CONNECT's
    /// was 0 and the DISCONNECT's is not (MQTT-3.14.2-2).
    /// </summary>
    /// <param name="disconnect">The client's DISCONNECT.</param>
    /// <param name="sessionExpiryAtConnect">The Session Expiry Interval negotiated at CONNECT, in seconds.</param>
    /// <param name="options">The server's <c>Mqtt:MaxSessionExpiry</c>.</param>
    public static DisconnectDecision FromClient(DisconnectPacket disconnect, uint sessionExpiryAtConnect, MqttOptions options)
    {
        uint? expiry = null;
        if (disconnect.Properties?.SessionExpiryInterval is { } requested)
        {
            // MQTT-3.14.2-2: a session that had expiry 0 at CONNECT cannot be given one now.
            if (sessionExpiryAtConnect == 0 && requested != 0)
            {
                throw new MqttProtocolException(ReasonCode.ProtocolError, "session expiry set on DISCONNECT after 0 at CONNECT");
            }

            expiry = Math.Min(requested, ConnectNegotiator.MaxSessionExpiry(options));
        }

        var kind = disconnect.ReasonCode == ReasonCode.NormalDisconnection ? DisconnectKind.Normal : DisconnectKind.NormalWithWill;
        return new DisconnectDecision(kind, expiry);
    }

    /// <summary>
    /// A close by the server with <paramref name="reason"/> (a takeover, keep-alive timeout, administrative close,
    /// shutdown): the will is published; 0x8E Session taken over is told apart for the session (MQTT-3.1.4-3).
    /// </summary>
    public static DisconnectDecision FromServer(ReasonCode reason) =>
        new(reason == ReasonCode.SessionTakenOver ? DisconnectKind.TakenOver : DisconnectKind.Abnormal, null);

    /// <summary>
    /// Whether a session that ends this way publishes its will: every way but a normal DISCONNECT, which discards it
    /// (MQTT-3.14.4-3).
    /// </summary>
    public static bool PublishesWill(DisconnectKind kind) => kind != DisconnectKind.Normal;
}
