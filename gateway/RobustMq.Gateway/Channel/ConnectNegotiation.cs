using System.Diagnostics.CodeAnalysis;
using RobustMq.Protocol.Properties;

namespace RobustMq.Gateway.Channel;

/// <summary>
/// What <see cref="ConnectNegotiator"/> decided about a CONNECT before any session is touched: a refusal, or the
/// values the connection runs with and the CONNACK properties that announce them.
/// </summary>
public sealed record ConnectNegotiation
{
    /// <summary>Set when the CONNECT is refused: answer CONNACK with its code and close. Every other value is then unset.</summary>
    public ConnectRefusal? Refusal { get; init; }

    /// <summary>True when the CONNECT goes on to its session (no <see cref="Refusal"/>).</summary>
    [MemberNotNullWhen(true, nameof(ClientId))]
    [MemberNotNullWhen(false, nameof(Refusal))]
    public bool Accepted => Refusal is null;

    /// <summary>The client id the session has: the CONNECT's, or <see cref="AssignedClientId"/> when it was empty.</summary>
    public string? ClientId { get; init; }

    /// <summary>
    /// The id the server made up for an empty one (<c>auto-</c> and 32 hex digits), also sent to an MQTT 5 client as
    /// Assigned Client Identifier (MQTT-3.2.2-16); null when the client named itself.
    /// </summary>
    public string? AssignedClientId { get; init; }

    /// <summary>
    /// The keep-alive in force, in seconds (0: none): the client's, or on MQTT 5 the Server Keep Alive that replaced it
    /// (MQTT-3.1.2-21).
    /// </summary>
    public int KeepAliveSeconds { get; init; }

    /// <summary>
    /// Session Expiry Interval in seconds, at most <c>Mqtt:MaxSessionExpiry</c>: MQTT 5 the CONNECT's (absent: 0);
    /// MQTT 3.1.x 0 for a clean session, else <c>Mqtt:MaxSessionExpiry</c>.
    /// </summary>
    public uint SessionExpirySeconds { get; init; }

    /// <summary>The client's Maximum Packet Size in bytes; 0 when it set none (the protocol's limit applies).</summary>
    public uint ClientMaximumPacketSize { get; init; }

    /// <summary>The client's Topic Alias Maximum: aliases the server may use towards it; 0 for none (and on 3.1.x).</summary>
    public ushort ClientTopicAliasMaximum { get; init; }

    /// <summary>
    /// QoS 1/2 messages the server sends unacknowledged at most: the client's Receive Maximum (absent: 65535) capped by
    /// <c>Mqtt:MaxInflight</c>, at least 1.
    /// </summary>
    public int SendWindow { get; init; }

    /// <summary>
    /// The CONNACK properties of an accepted MQTT 5 CONNECT (the server's limits, Server Keep Alive, granted Session Expiry,
    /// Assigned Client Identifier, Response Information); null on 3.1.x, which has none.
    /// </summary>
    public MqttProperties? ConnAckProperties { get; init; }

    /// <summary>
    /// The offered enhanced authentication method the CONNECT named (MQTT 5, 4.12): its exchange runs before the
    /// session is touched, and the CONNACK carries it; null when the CONNECT named none.
    /// </summary>
    public string? AuthenticationMethod { get; init; }

    /// <summary>A refused CONNECT.</summary>
    public static ConnectNegotiation Refused(ConnectRefusal refusal) => new() { Refusal = refusal };
}
