using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Channel;

/// <summary>
/// Which packets a client may send when: the rules a connection checks before it acts on a packet. Pure: no grains,
/// no socket, no clock.
/// </summary>
public static class PacketOrder
{
    /// <summary>
    /// Checks that <paramref name="packet"/> may come now, <paramref name="connected"/> telling whether a CONNECT was
    /// accepted, for a connection without enhanced authentication. Throws <see cref="MqttProtocolException"/> 0x82
    /// Protocol Error for: anything but CONNECT first (MQTT-3.1.0-1), a second CONNECT (MQTT-3.1.0-2), AUTH (the CONNECT
    /// named no authentication method, 4.12), and the packets only a server sends (CONNACK, SUBACK, UNSUBACK, PINGRESP).
    /// </summary>
    public static void Check(MqttPacket packet, bool connected) => Check(packet, connected, authMethod: null, authenticating: false);

    /// <summary>
    /// As <see cref="Check(MqttPacket, bool)"/>, for a connection whose CONNECT named <paramref name="authMethod"/>
    /// (MQTT 5 enhanced authentication, 4.12), <paramref name="authenticating"/> telling whether an exchange waits for
    /// the client's AUTH. Also a Protocol Error: before CONNACK, anything but AUTH or DISCONNECT during the exchange
    /// (MQTT-3.1.2-30); an AUTH whose reason code is not Continue authentication (0x18) during an exchange, or not
    /// Re-authenticate (0x19) after CONNACK outside one (4.12.1); an AUTH with another Authentication Method than the
    /// CONNECT's (MQTT-4.12.1-1; 3.15.2.2.2: omitting it is a Protocol Error too).
    /// </summary>
    public static void Check(MqttPacket packet, bool connected, string? authMethod, bool authenticating)
    {
        ArgumentNullException.ThrowIfNull(packet);
        if (!connected)
        {
            if (!authenticating)
            {
                if (packet is not ConnectPacket)
                {
                    throw new MqttProtocolException(ReasonCode.ProtocolError, "first packet is not CONNECT");
                }

                return;
            }

            switch (packet)
            {
                case AuthPacket auth:
                    CheckAuth(auth, authMethod, ReasonCode.ContinueAuthentication);
                    return;
                case DisconnectPacket:
                    return;
                default:
                    // MQTT-3.1.2-30: after a CONNECT with an Authentication Method, only AUTH or DISCONNECT until CONNACK.
                    throw new MqttProtocolException(ReasonCode.ProtocolError, $"{packet.Type} during the authentication exchange");
            }
        }

        switch (packet)
        {
            case ConnectPacket:
                throw new MqttProtocolException(ReasonCode.ProtocolError, "second CONNECT");
            case AuthPacket when authMethod is null:
                throw new MqttProtocolException(ReasonCode.ProtocolError, "AUTH without an authentication method");
            case AuthPacket auth:
                CheckAuth(auth, authMethod, authenticating ? ReasonCode.ContinueAuthentication : ReasonCode.ReAuthenticate);
                return;
            case ConnAckPacket or SubAckPacket or UnsubAckPacket or PingRespPacket:
                throw new MqttProtocolException(ReasonCode.ProtocolError, $"unexpected {packet.Type} from a client");
        }
    }

    private static void CheckAuth(AuthPacket auth, string? method, ReasonCode expected)
    {
        if (auth.ReasonCode != expected)
        {
            throw new MqttProtocolException(ReasonCode.ProtocolError, $"AUTH with reason code 0x{(byte)auth.ReasonCode:X2} where 0x{(byte)expected:X2} is expected");
        }

        if (!string.Equals(auth.Properties?.AuthenticationMethod, method, StringComparison.Ordinal))
        {
            throw new MqttProtocolException(ReasonCode.ProtocolError, "AUTH with another Authentication Method than the CONNECT's");
        }
    }
}
