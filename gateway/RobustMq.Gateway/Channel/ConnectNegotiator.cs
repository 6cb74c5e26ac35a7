using RobustMq.Abstractions.Options;
using RobustMq.Abstractions.Sessions;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;
using RobustMq.Protocol.ReasonCodes;
using RobustMq.Protocol.Topics;

namespace RobustMq.Gateway.Channel;

/// <summary>
/// CONNECT negotiation against <see cref="MqttOptions"/>: the decisions a CONNECT needs before any session is touched
/// (client id, will, keep-alive, session expiry, the client's limits, CONNACK properties). Pure: no grains, no socket,
/// no clock. What the decoder already enforces (protocol name and level, reserved flag, Receive Maximum 0 and other
/// malformed properties) arrives here as an <see cref="MqttProtocolException"/> instead and never as a packet.
/// </summary>
public static class ConnectNegotiator
{
    /// <summary>A keep-alive of 0 means "no keep-alive"; only an operator maximum below this turns that into a limit.</summary>
    private const int KeepAliveOff = 65535;

    /// <summary>Prefix of a client id the server assigns (followed by 32 hex digits).</summary>
    public const string AssignedPrefix = "auto-";

    /// <summary>
    /// Checks <paramref name="connect"/> and works out the values the connection runs with. Refusals, in the order
    /// checked: an Authentication Method that is not among <paramref name="enhancedMethods"/> (0x8C Bad authentication
    /// method; none is offered by default, <c>Auth:EnhancedMethods</c>), an empty client id on 3.1 or
    /// on 3.1.1 without clean session (MQTT-3.1.3-8: 0x85 / return code 2), a will topic that is not a valid topic name
    /// (0x90), a will QoS above <c>Mqtt:MaximumQoS</c> (0x9B), a retained will when <c>Mqtt:RetainAvailable</c> is off
    /// (0x9A); each will refusal is return code 5 on 3.1.x. An offered Authentication Method is carried on
    /// (<see cref="ConnectNegotiation.AuthenticationMethod"/>): the exchange comes before the session.
    /// </summary>
    public static ConnectNegotiation Negotiate(ConnectPacket connect, MqttOptions options, IReadOnlySet<string>? enhancedMethods = null)
    {
        var v5 = connect.ProtocolVersion == MqttProtocolVersion.V500;
        var props = connect.Properties;
        var authMethod = props?.AuthenticationMethod;
        if (authMethod is not null && enhancedMethods?.Contains(authMethod) != true)
        {
            // MQTT 5, 4.12: a method the server does not support is refused with 0x8C (only MQTT 5 has the property).
            return ConnectNegotiation.Refused(new(ReasonCode.BadAuthenticationMethod, ConnectReturnCode.NotAuthorized));
        }

        var clientId = connect.ClientId;
        string? assigned = null;
        if (clientId.Length == 0)
        {
            // MQTT-3.1.3-8: a 3.1.1 client with an empty id must ask for a clean session.
            if (!v5 && (!connect.CleanStart || connect.ProtocolVersion == MqttProtocolVersion.V310))
            {
                return ConnectNegotiation.Refused(new(ReasonCode.ClientIdentifierNotValid, ConnectReturnCode.IdentifierRejected));
            }

            clientId = assigned = AssignedPrefix + Guid.NewGuid().ToString("N");
        }

        if (connect.Will is { } will && CheckWill(will, options) is { } refusal)
        {
            return ConnectNegotiation.Refused(refusal);
        }

        var connAckProps = v5 ? new MqttProperties() : null;
        int keepAlive = connect.KeepAlive;
        if (v5 && (keepAlive > options.MaxKeepAlive || (keepAlive == 0 && options.MaxKeepAlive < KeepAliveOff)))
        {
            // MQTT 5 lets the server choose the keep-alive (Server Keep Alive, MQTT-3.2.2-21); 3.1.x clients keep their own.
            keepAlive = options.MaxKeepAlive;
            connAckProps!.ServerKeepAlive = (ushort)keepAlive;
        }

        var maxExpiry = MaxSessionExpiry(options);
        uint sessionExpiry;
        if (v5)
        {
            sessionExpiry = props?.SessionExpiryInterval ?? 0;
            if (sessionExpiry > maxExpiry)
            {
                sessionExpiry = maxExpiry;
                connAckProps!.SessionExpiryInterval = maxExpiry;
            }
        }
        else
        {
            sessionExpiry = connect.CleanStart ? 0 : maxExpiry;
        }

        if (sessionExpiry != 0 && !SessionLimits.CanStore(clientId))
        {
            // A session that outlives its connection is stored, keyed by its client id.
            return ConnectNegotiation.Refused(new(ReasonCode.ClientIdentifierNotValid, ConnectReturnCode.IdentifierRejected));
        }

        if (v5)
        {
            FillConnAckProperties(connAckProps!, props, assigned, clientId, options);
        }

        return new ConnectNegotiation
        {
            ClientId = clientId,
            AssignedClientId = assigned,
            KeepAliveSeconds = keepAlive,
            SessionExpirySeconds = sessionExpiry,
            ClientMaximumPacketSize = props?.MaximumPacketSize ?? 0,
            ClientTopicAliasMaximum = props?.TopicAliasMaximum ?? 0,
            SendWindow = Math.Max(1, Math.Min(props?.ReceiveMaximum ?? ushort.MaxValue, options.MaxInflight)),
            ConnAckProperties = connAckProps,
            AuthenticationMethod = authMethod,
        };
    }

    /// <summary>
    /// <c>Mqtt:MaxSessionExpiry</c> as a Session Expiry Interval in seconds (the option is a <see langword="long"/>,
    /// validated to 0-4294967295; larger is read as 4294967295, which never expires).
    /// </summary>
    public static uint MaxSessionExpiry(MqttOptions options) => (uint)Math.Min(options.MaxSessionExpiry, uint.MaxValue);

    private static ConnectRefusal? CheckWill(WillMessage will, MqttOptions options)
    {
        if (!TopicValidator.IsValidTopicName(will.Topic))
        {
            return new(ReasonCode.TopicNameInvalid, ConnectReturnCode.NotAuthorized);
        }

        if ((int)will.QoS > options.MaximumQoS)
        {
            return new(ReasonCode.QoSNotSupported, ConnectReturnCode.NotAuthorized);
        }

        if (will.Retain && !options.RetainAvailable)
        {
            return new(ReasonCode.RetainNotSupported, ConnectReturnCode.NotAuthorized);
        }

        return null;
    }

    /// <summary>The server's side of an MQTT 5 CONNACK (3.2.2.3): its limits and what it offers.</summary>
    private static void FillConnAckProperties(MqttProperties ack, MqttProperties? request, string? assigned, string clientId, MqttOptions options)
    {
        ack.ReceiveMaximum = (ushort)options.ReceiveMaximum;
        ack.MaximumPacketSize = (uint)options.MaxPacketSize;
        ack.TopicAliasMaximum = (ushort)options.TopicAliasMaximum;
        if (options.MaximumQoS < 2)
        {
            ack.MaximumQoS = (byte)options.MaximumQoS;
        }

        if (!options.RetainAvailable)
        {
            ack.RetainAvailable = 0;
        }

        ack.WildcardSubscriptionAvailable = 1;
        ack.SubscriptionIdentifierAvailable = 1;
        ack.SharedSubscriptionAvailable = 1;
        if (assigned is not null)
        {
            ack.AssignedClientIdentifier = assigned;
        }

        if (request?.RequestResponseInformation == 1)
        {
            ack.ResponseInformation = options.ResponseInformation.Replace("${clientid}", clientId, StringComparison.Ordinal);
        }
    }
}
