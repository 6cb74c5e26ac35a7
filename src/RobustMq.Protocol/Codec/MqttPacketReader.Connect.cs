using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Protocol.Codec;

/// <summary>Connection-level packets: CONNECT, CONNACK, DISCONNECT and AUTH.</summary>
public static partial class MqttPacketReader
{
    private static ConnectPacket ReadConnect(ref MqttBodyReader reader)
    {
        var (protocolName, version) = ReadProtocolNameAndLevel(ref reader);
        try
        {
            return ReadConnectAfterLevel(ref reader, protocolName, version);
        }
        catch (MqttProtocolException ex)
        {
            // MQTT 5, 4.13.1: from here on the client's version is known, so an MQTT 5 client is told why (CONNACK
            // with the reason code) before the close; the connection reads the version from the exception.
            ex.ConnectVersion = version;
            throw;
        }
    }

    private static ConnectPacket ReadConnectAfterLevel(ref MqttBodyReader reader, string protocolName, MqttProtocolVersion version)
    {
        var flags = reader.ReadByte();

        // MQTT-3.1.2-3: the reserved flag must be 0.
        if ((flags & 0x01) != 0)
        {
            throw ProtocolErrors.Malformed("CONNECT reserved flag is set");
        }

        var hasWill = (flags & 0x04) != 0;
        var willQoS = (flags >> 3) & 0x03;
        var willRetain = (flags & 0x20) != 0;
        var hasPassword = (flags & 0x40) != 0;
        var hasUserName = (flags & 0x80) != 0;

        // MQTT-3.1.2-14 (3.1.2.6 in MQTT 5): Will QoS 3 is malformed.
        if (willQoS == 3)
        {
            throw ProtocolErrors.Malformed("CONNECT has Will QoS 3");
        }

        // MQTT-3.1.2-13, MQTT-3.1.2-15: without a will, Will QoS and Will Retain must be 0.
        if (!hasWill && (willQoS != 0 || willRetain))
        {
            throw ProtocolErrors.Malformed("CONNECT has Will QoS or Will Retain without the Will Flag");
        }

        // MQTT-3.1.2-22: in 3.1.x a password needs a user name (MQTT 5 allows a password alone).
        if (hasPassword && !hasUserName && version != MqttProtocolVersion.V500)
        {
            throw ProtocolErrors.Malformed("CONNECT has the Password Flag without the User Name Flag");
        }

        var packet = new ConnectPacket
        {
            ProtocolName = protocolName,
            ProtocolVersion = version,
            CleanStart = (flags & 0x02) != 0,
            KeepAlive = reader.ReadUInt16(),
        };
        if (version == MqttProtocolVersion.V500)
        {
            packet.Properties = MqttPropertiesReader.Read(ref reader, PropertyScope.Connect);

            // MQTT 5, 3.1.2.11.10: Authentication Data without an Authentication Method is a protocol error.
            if (packet.Properties is { AuthenticationData: not null, AuthenticationMethod: null })
            {
                throw ProtocolErrors.ProtocolError("CONNECT has Authentication Data without an Authentication Method");
            }
        }

        packet.ClientId = reader.ReadString();
        if (hasWill)
        {
            var will = new WillMessage { QoS = (QoS)willQoS, Retain = willRetain };
            if (version == MqttProtocolVersion.V500)
            {
                will.Properties = MqttPropertiesReader.Read(ref reader, PropertyScope.Will);
            }

            will.Topic = reader.ReadString();
            will.Payload = reader.ReadBinary().ToArray();
            EnsurePayloadFormat(will.Properties, will.Payload);
            packet.Will = will;
        }

        if (hasUserName)
        {
            packet.UserName = reader.ReadString();
        }

        if (hasPassword)
        {
            packet.Password = reader.ReadBinary().ToArray();
        }

        reader.EnsureEnd("CONNECT");
        return packet;
    }

    /// <summary>"MQIsdp" + 3 is MQTT 3.1, "MQTT" + 4 is 3.1.1, "MQTT" + 5 is 5.0; anything else is unsupported.</summary>
    private static (string Name, MqttProtocolVersion Version) ReadProtocolNameAndLevel(ref MqttBodyReader reader)
    {
        var name = reader.ReadBinary();
        var level = reader.ReadByte();
        if (name.SequenceEqual("MQTT"u8))
        {
            if (level == (byte)MqttProtocolVersion.V311)
            {
                return ("MQTT", MqttProtocolVersion.V311);
            }

            if (level == (byte)MqttProtocolVersion.V500)
            {
                return ("MQTT", MqttProtocolVersion.V500);
            }
        }
        else if (name.SequenceEqual("MQIsdp"u8) && level == (byte)MqttProtocolVersion.V310)
        {
            return ("MQIsdp", MqttProtocolVersion.V310);
        }

        // MQTT-3.1.2-2: an unsupported protocol level is answered with CONNACK 0x01 (3.1.x) / 0x84 (5).
        throw new MqttProtocolException(
            ReasonCode.UnsupportedProtocolVersion,
            $"unsupported protocol: name of {name.Length} bytes, level {level}");
    }

    private static ConnAckPacket ReadConnAck(ref MqttBodyReader reader, MqttProtocolVersion version)
    {
        var flags = reader.ReadByte();

        // MQTT 3.1.1 3.2.2.1 / MQTT 5 3.2.2.1: bits 7-1 of the acknowledge flags are reserved and 0.
        if ((flags & 0xFE) != 0)
        {
            throw ProtocolErrors.Malformed("CONNACK reserved acknowledge flags are set");
        }

        var code = reader.ReadByte();
        ReasonCodeRules.EnsureConnAck(code, version);
        var packet = new ConnAckPacket { SessionPresent = flags == 0x01, ReasonCode = code };
        if (version == MqttProtocolVersion.V500)
        {
            packet.Properties = MqttPropertiesReader.Read(ref reader, PropertyScope.ConnAck);
        }

        reader.EnsureEnd("CONNACK");
        return packet;
    }

    private static DisconnectPacket ReadDisconnect(ref MqttBodyReader reader, MqttProtocolVersion version)
    {
        var packet = new DisconnectPacket();

        // MQTT 5 3.14.2.1: remaining length 0 means Normal disconnection; 1 means a reason code without properties.
        if (version == MqttProtocolVersion.V500 && !reader.End)
        {
            var code = reader.ReadByte();
            ReasonCodeRules.EnsureDisconnect(code);
            packet.ReasonCode = (ReasonCode)code;
            if (!reader.End)
            {
                packet.Properties = MqttPropertiesReader.Read(ref reader, PropertyScope.Disconnect);
            }
        }

        reader.EnsureEnd("DISCONNECT");
        return packet;
    }

    private static AuthPacket ReadAuth(ref MqttBodyReader reader)
    {
        var packet = new AuthPacket();

        // MQTT 5 3.15.2.1: remaining length 0 means Success; 1 means a reason code without properties.
        if (!reader.End)
        {
            var code = reader.ReadByte();
            ReasonCodeRules.EnsureAuth(code);
            packet.ReasonCode = (ReasonCode)code;
            if (!reader.End)
            {
                packet.Properties = MqttPropertiesReader.Read(ref reader, PropertyScope.Auth);

                // MQTT 5, 3.15.2.2.2: omitting the Authentication Method is a protocol error (and so is Authentication
                // Data without it, 3.15.2.2.3). Only the short forms without properties (3.15.2.1) carry none.
                if (packet.Properties is not null && packet.Properties.AuthenticationMethod is null)
                {
                    throw ProtocolErrors.ProtocolError("AUTH has properties but no Authentication Method");
                }
            }
        }

        reader.EnsureEnd("AUTH");
        return packet;
    }
}
