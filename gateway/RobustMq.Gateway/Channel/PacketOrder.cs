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
    /// accepted. Throws <see cref="MqttProtocolException"/> 0x82 Protocol Error for: anything but CONNECT first
    /// (MQTT-3.1.0-1), a second CONNECT (MQTT-3.1.0-2), AUTH (no authentication method is offered, MQTT-4.12.0-1), and
    /// the packets only a server sends (CONNACK, SUBACK, UNSUBACK, PINGRESP).
    /// </summary>
    public static void Check(MqttPacket packet, bool connected)
    {
        ArgumentNullException.ThrowIfNull(packet);
        if (!connected)
        {
            if (packet is not ConnectPacket)
            {
                throw new MqttProtocolException(ReasonCode.ProtocolError, "first packet is not CONNECT");
            }

            return;
        }

        switch (packet)
        {
            case ConnectPacket:
                throw new MqttProtocolException(ReasonCode.ProtocolError, "second CONNECT");
            case AuthPacket:
                throw new MqttProtocolException(ReasonCode.ProtocolError, "AUTH without an authentication method");
            case ConnAckPacket or SubAckPacket or UnsubAckPacket or PingRespPacket:
                throw new MqttProtocolException(ReasonCode.ProtocolError, $"unexpected {packet.Type} from a client");
        }
    }
}
