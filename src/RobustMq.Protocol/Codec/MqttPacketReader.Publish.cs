using System.Text.Unicode;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Protocol.Codec;

/// <summary>PUBLISH and its responses: PUBACK, PUBREC, PUBREL, PUBCOMP.</summary>
public static partial class MqttPacketReader
{
    /// <summary>Reads the PUBLISH variable header (topic, packet id, properties); the caller sets the payload.</summary>
    private static PublishPacket ReadPublishHeader(byte firstByte, ref MqttBodyReader reader, MqttProtocolVersion version)
    {
        var packet = new PublishPacket
        {
            Dup = (firstByte & 0x08) != 0,
            QoS = (QoS)((firstByte >> 1) & 0x03),
            Retain = (firstByte & 0x01) != 0,
        };

        var topic = reader.ReadBinary();

        // MQTT-3.3.2-2: the topic name must not contain wildcard characters.
        if (topic.IndexOfAny((byte)'+', (byte)'#') >= 0)
        {
            throw new MqttProtocolException(
                version == MqttProtocolVersion.V500 ? ReasonCode.TopicNameInvalid : ReasonCode.MalformedPacket,
                "PUBLISH topic name contains a wildcard");
        }

        packet.Topic = MqttBodyReader.DecodeUtf8(topic);
        if (packet.QoS != QoS.AtMostOnce)
        {
            packet.PacketId = ReadPacketId(ref reader, "PUBLISH");
        }

        if (version == MqttProtocolVersion.V500)
        {
            packet.Properties = MqttPropertiesReader.Read(ref reader, PropertyScope.Publish);
        }

        // MQTT-3.3.2-1 / MQTT 5 3.3.4: an empty topic name is only valid with a Topic Alias (MQTT 5).
        if (topic.IsEmpty && packet.Properties?.TopicAlias is null)
        {
            throw ProtocolErrors.ProtocolError("PUBLISH topic name is empty and there is no Topic Alias");
        }

        return packet;
    }

    /// <summary>The payload array is the one copy out of the connection buffer; it becomes the shared broker message.</summary>
    private static void SetPayload(PublishPacket packet, byte[] payload)
    {
        EnsurePayloadFormat(packet.Properties, payload);
        packet.Payload = payload;
    }

    /// <summary>MQTT 5 3.3.2.3.2: with Payload Format Indicator 1 the payload must be UTF-8 (PUBLISH and will).</summary>
    private static void EnsurePayloadFormat(MqttProperties? properties, ReadOnlySpan<byte> payload)
    {
        if (properties?.PayloadFormatIndicator == 1 && !Utf8.IsValid(payload))
        {
            throw new MqttProtocolException(ReasonCode.PayloadFormatInvalid, "payload is marked UTF-8 but is not valid UTF-8");
        }
    }

    private static PublishResponsePacket ReadPublishResponse(PublishResponsePacket packet, ref MqttBodyReader reader, MqttProtocolVersion version)
    {
        var name = packet.Type switch
        {
            MqttPacketType.PubAck => "PUBACK",
            MqttPacketType.PubRec => "PUBREC",
            MqttPacketType.PubRel => "PUBREL",
            _ => "PUBCOMP",
        };
        packet.PacketId = ReadPacketId(ref reader, name);

        // MQTT 5 3.4.2.1: remaining length 2 means Success without properties; 3 means a reason code without properties.
        if (version == MqttProtocolVersion.V500 && !reader.End)
        {
            var code = reader.ReadByte();
            ReasonCodeRules.EnsurePublishResponse(code, packet is PubRelPacket or PubCompPacket);
            packet.ReasonCode = (ReasonCode)code;
            if (!reader.End)
            {
                packet.Properties = MqttPropertiesReader.Read(ref reader, PropertyScope.PublishResponse);
            }
        }

        reader.EnsureEnd(name);
        return packet;
    }
}
