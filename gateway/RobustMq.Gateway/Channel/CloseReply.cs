using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Channel;

/// <summary>
/// The last thing a connection sends when the server closes it, the one place a close reason becomes a packet: before
/// CONNACK a CONNACK with the reason (MQTT 5, 4.13.1; 3.1.x return code 1 for an unknown protocol version, else
/// nothing), after it a DISCONNECT with the reason on MQTT 5 and a plain close on 3.1.x, which has no server DISCONNECT.
/// Pure: no grains, no socket, no clock.
/// </summary>
/// <param name="Version">
/// The version to write <see cref="Packet"/> in, and the connection's from now on: a protocol error in a CONNECT can
/// settle the version the connection did not know yet.
/// </param>
/// <param name="Packet">The CONNACK or DISCONNECT to send; null for a close without a packet.</param>
/// <param name="Final">
/// True when <see cref="Packet"/> (even null) is the connection's last: deliveries racing the close go to the session
/// (MQTT-3.14.4-1). False for a protocol error before CONNACK, whose CONNACK is sent as any control packet.
/// </param>
public readonly record struct CloseReply(MqttProtocolVersion Version, MqttPacket? Packet, bool Final)
{
    /// <summary>
    /// Bad input (<paramref name="error"/>): before CONNACK, an unsupported protocol version is answered in the 3.1.1
    /// form with return code 1 (MQTT-3.1.2-2); any other error with CONNACK and the reason code when the client is
    /// MQTT 5 (from <paramref name="version"/>, or the CONNECT that failed, <see cref="MqttProtocolException.ConnectVersion"/>),
    /// else with nothing. Once connected, as <see cref="ForServerClose"/> with the error's reason code.
    /// </summary>
    /// <param name="error">The broken rule; its reason code is 0x80 or above.</param>
    /// <param name="connected">The CONNACK accepting the connection was sent.</param>
    /// <param name="version">The connection's version so far (<see cref="MqttProtocolVersion.Unknown"/> before CONNECT).</param>
    public static CloseReply ForProtocolError(MqttProtocolException error, bool connected, MqttProtocolVersion version)
    {
        if (connected)
        {
            return ForServerClose(error.ReasonCode, connected, version);
        }

        if (error.ReasonCode == ReasonCode.UnsupportedProtocolVersion)
        {
            // The client's version is unknown: answer in the 3.1.1 form, return code 1 (MQTT-3.1.2-2).
            return new(MqttProtocolVersion.V311, new ConnAckPacket { ReasonCode = (byte)ConnectReturnCode.UnacceptableProtocolVersion }, false);
        }

        // A CONNECT that failed in its own body names its version in the exception (MQTT 5, 4.13.1: an MQTT 5 client gets
        // CONNACK with the reason code, then the close; a 3.1.x client only the close).
        if (version == MqttProtocolVersion.Unknown)
        {
            version = error.ConnectVersion;
        }

        return new(version, version == MqttProtocolVersion.V500 ? new ConnAckPacket { ReasonCode = (byte)error.ReasonCode } : null, false);
    }

    /// <summary>
    /// A close by the server with <paramref name="reason"/> (takeover, keep-alive timeout, shutdown, administrative):
    /// DISCONNECT with it to a connected MQTT 5 client, nothing to a 3.1.x one or before CONNACK.
    /// </summary>
    public static CloseReply ForServerClose(ReasonCode reason, bool connected, MqttProtocolVersion version) =>
        new(version, connected && version == MqttProtocolVersion.V500 ? new DisconnectPacket { ReasonCode = reason } : null, true);
}
