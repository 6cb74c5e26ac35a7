using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;

namespace RobustMq.Protocol.Codec;

/// <summary>Variable header and payload of each packet, written into the span measured for it.</summary>
public static partial class MqttPacketWriter
{
    private static void WriteBody(ref MqttSpanWriter writer, MqttPacket packet, MqttProtocolVersion version, in PacketLayout layout)
    {
        switch (packet)
        {
            case ConnectPacket p:
                WriteConnect(ref writer, p, version, layout);
                break;
            case ConnAckPacket p:
                writer.WriteByte(p.SessionPresent ? (byte)0x01 : (byte)0x00);
                writer.WriteByte(p.ReasonCode);
                WriteProperties(ref writer, p.Properties, layout);
                break;
            case PublishResponsePacket p:
                writer.WriteUInt16(p.PacketId);
                WriteOptionalReason(ref writer, (byte)p.ReasonCode, p.Properties, layout.RemainingLength - 2, layout);
                break;
            case SubscribePacket p:
                WriteSubscribe(ref writer, p, version, layout);
                break;
            case SubAckPacket p:
                writer.WriteUInt16(p.PacketId);
                WriteProperties(ref writer, p.Properties, layout);
                WriteCodes(ref writer, p.ReasonCodes);
                break;
            case UnsubscribePacket p:
                writer.WriteUInt16(p.PacketId);
                WriteProperties(ref writer, p.Properties, layout);
                foreach (var filter in p.Filters)
                {
                    writer.WriteString(filter);
                }

                break;
            case UnsubAckPacket p:
                writer.WriteUInt16(p.PacketId);
                if (version == MqttProtocolVersion.V500)
                {
                    WriteProperties(ref writer, p.Properties, layout);
                    WriteCodes(ref writer, p.ReasonCodes);
                }

                break;
            case DisconnectPacket p:
                WriteOptionalReason(ref writer, (byte)p.ReasonCode, p.Properties, layout.RemainingLength, layout);
                break;
            case AuthPacket p:
                WriteOptionalReason(ref writer, (byte)p.ReasonCode, p.Properties, layout.RemainingLength, layout);
                break;
            default:
                // PINGREQ and PINGRESP have no body.
                break;
        }
    }

    private static void WriteConnect(ref MqttSpanWriter writer, ConnectPacket packet, MqttProtocolVersion version, in PacketLayout layout)
    {
        writer.WriteBinary(version == MqttProtocolVersion.V310 ? "MQIsdp"u8 : "MQTT"u8);
        writer.WriteByte((byte)version);

        var flags = packet.CleanStart ? 0x02 : 0x00;
        if (packet.Will is { } will)
        {
            flags |= 0x04 | ((int)will.QoS << 3) | (will.Retain ? 0x20 : 0x00);
        }

        if (packet.Password is not null)
        {
            flags |= 0x40;
        }

        if (packet.UserName is not null)
        {
            flags |= 0x80;
        }

        writer.WriteByte((byte)flags);
        writer.WriteUInt16(packet.KeepAlive);
        WriteProperties(ref writer, packet.Properties, layout);
        writer.WriteString(packet.ClientId);
        if (packet.Will is { } willMessage)
        {
            if (version == MqttProtocolVersion.V500)
            {
                MqttPropertiesWriter.Write(ref writer, willMessage.Properties, layout.WillPropertiesLength);
            }

            writer.WriteString(willMessage.Topic);
            writer.WriteBinary(willMessage.Payload);
        }

        if (packet.UserName is not null)
        {
            writer.WriteString(packet.UserName);
        }

        if (packet.Password is not null)
        {
            writer.WriteBinary(packet.Password);
        }
    }

    private static void WritePublishHeader(ref MqttSpanWriter writer, PublishPacket packet, MqttProtocolVersion version, in PacketLayout layout)
    {
        writer.WriteString(packet.Topic);
        if (packet.QoS != QoS.AtMostOnce)
        {
            writer.WriteUInt16(packet.PacketId);
        }

        if (version == MqttProtocolVersion.V500)
        {
            WriteProperties(ref writer, packet.Properties, layout);
        }
    }

    private static void WriteSubscribe(ref MqttSpanWriter writer, SubscribePacket packet, MqttProtocolVersion version, in PacketLayout layout)
    {
        writer.WriteUInt16(packet.PacketId);
        WriteProperties(ref writer, packet.Properties, layout);
        foreach (var subscription in packet.Subscriptions)
        {
            writer.WriteString(subscription.Filter);
            var options = (int)subscription.QoS;
            if (version == MqttProtocolVersion.V500)
            {
                options |= (subscription.NoLocal ? 0x04 : 0x00)
                    | (subscription.RetainAsPublished ? 0x08 : 0x00)
                    | ((int)subscription.RetainHandling << 4);
            }

            writer.WriteByte((byte)options);
        }
    }

    /// <summary>The property list, when the layout has one (MQTT 5).</summary>
    private static void WriteProperties(ref MqttSpanWriter writer, MqttProperties? properties, in PacketLayout layout)
    {
        if (layout.PropertiesLength >= 0)
        {
            MqttPropertiesWriter.Write(ref writer, properties, layout.PropertiesLength);
        }
    }

    /// <summary>Reason code and properties of acks, DISCONNECT and AUTH; <paramref name="length"/> says which form was measured.</summary>
    private static void WriteOptionalReason(ref MqttSpanWriter writer, byte reasonCode, MqttProperties? properties, int length, in PacketLayout layout)
    {
        if (length > 0)
        {
            writer.WriteByte(reasonCode);
        }

        if (length > 1)
        {
            MqttPropertiesWriter.Write(ref writer, properties, layout.PropertiesLength);
        }
    }

    private static void WriteCodes(ref MqttSpanWriter writer, List<byte> codes)
    {
        foreach (var code in codes)
        {
            writer.WriteByte(code);
        }
    }
}
