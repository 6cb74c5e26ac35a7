using System.Buffers;
using System.Text.Unicode;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Protocol.Codec;

/// <summary>PUBLISH and its responses: PUBACK, PUBREC, PUBREL, PUBCOMP.</summary>
public static partial class MqttPacketReader
{
    /// <summary>
    /// Reads a PUBLISH: <paramref name="header"/> holds at least its variable header (topic, packet id, properties)
    /// contiguously; <paramref name="body"/> is the whole body, of which topic and payload become slices.
    /// </summary>
    private static PublishFrame ReadPublish(byte firstByte, ReadOnlySpan<byte> header, in ReadOnlySequence<byte> body, MqttProtocolVersion version)
    {
        var reader = new MqttBodyReader(header);
        var topic = reader.ReadBinary();

        // MQTT-3.3.2-2: the topic name must not contain wildcard characters.
        if (topic.IndexOfAny((byte)'+', (byte)'#') >= 0)
        {
            throw new MqttProtocolException(
                version == MqttProtocolVersion.V500 ? ReasonCode.TopicNameInvalid : ReasonCode.MalformedPacket,
                "PUBLISH topic name contains a wildcard");
        }

        MqttBodyReader.ValidateUtf8(topic);
        ushort packetId = 0;
        if (((firstByte >> 1) & 0x03) != 0)
        {
            packetId = ReadPacketId(ref reader, "PUBLISH");
        }

        MqttProperties? properties = null;
        if (version == MqttProtocolVersion.V500)
        {
            properties = MqttPropertiesReader.Read(ref reader, PropertyScope.Publish);
        }

        // MQTT-3.3.2-1 / MQTT 5 3.3.4: an empty topic name is only valid with a Topic Alias (MQTT 5).
        if (topic.IsEmpty && properties?.TopicAlias is null)
        {
            throw ProtocolErrors.ProtocolError("PUBLISH topic name is empty and there is no Topic Alias");
        }

        var payload = body.Slice(reader.Consumed);
        if (properties?.PayloadFormatIndicator == 1)
        {
            EnsurePayloadFormat(properties, payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray());
        }

        return new PublishFrame(firstByte, packetId, properties, body.Slice(2, topic.Length), payload);
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
