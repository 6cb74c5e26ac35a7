using RobustMq.Protocol.Packets;

namespace RobustMq.Protocol.Codec;

/// <summary>
/// SUBSCRIBE, SUBACK, UNSUBSCRIBE and UNSUBACK. A topic filter must be a non-empty UTF-8 string (that makes the packet
/// well formed); the rest of its syntax is the broker's job (it answers per filter).
/// </summary>
public static partial class MqttPacketReader
{
    private static SubscribePacket ReadSubscribe(ref MqttBodyReader reader, MqttProtocolVersion version)
    {
        var packet = new SubscribePacket { PacketId = ReadPacketId(ref reader, "SUBSCRIBE") };
        if (version == MqttProtocolVersion.V500)
        {
            packet.Properties = MqttPropertiesReader.Read(ref reader, PropertyScope.Subscribe);
        }

        // MQTT-3.8.3-3: at least one topic filter.
        if (reader.End)
        {
            throw ProtocolErrors.ProtocolError("SUBSCRIBE has no topic filters");
        }

        while (!reader.End)
        {
            var filter = ReadTopicFilter(ref reader, "SUBSCRIBE");
            packet.Subscriptions.Add(ReadSubscriptionOptions(filter, reader.ReadByte(), version));
        }

        return packet;
    }

    /// <summary>MQTT-4.7.3-1: a topic filter is at least one character long; an empty one is malformed.</summary>
    private static string ReadTopicFilter(ref MqttBodyReader reader, string packetName)
    {
        var filter = reader.ReadString();
        if (filter.Length == 0)
        {
            throw ProtocolErrors.Malformed($"{packetName} has an empty topic filter");
        }

        return filter;
    }

    private static TopicSubscription ReadSubscriptionOptions(string filter, byte options, MqttProtocolVersion version)
    {
        var qos = options & 0x03;
        if (version != MqttProtocolVersion.V500)
        {
            // MQTT-3.8.3-4 (3.1.1): reserved bits 2-7 must be 0 and QoS must be 0, 1 or 2.
            if ((options & 0xFC) != 0 || qos == 3)
            {
                throw ProtocolErrors.Malformed($"SUBSCRIBE options 0x{options:X2} are invalid");
            }

            return new TopicSubscription(filter, (QoS)qos);
        }

        // MQTT-3.8.3-5: reserved bits 6-7 must be 0.
        if ((options & 0xC0) != 0)
        {
            throw ProtocolErrors.Malformed($"SUBSCRIBE options 0x{options:X2} have reserved bits set");
        }

        // MQTT 5 3.8.3.1: Maximum QoS 3 is a protocol error.
        if (qos == 3)
        {
            throw ProtocolErrors.ProtocolError("SUBSCRIBE options have QoS 3");
        }

        // MQTT 5 3.8.3.1: Retain Handling 3 is a protocol error.
        var retainHandling = (options >> 4) & 0x03;
        if (retainHandling == 3)
        {
            throw ProtocolErrors.ProtocolError("SUBSCRIBE options have Retain Handling 3");
        }

        return new TopicSubscription(
            filter,
            (QoS)qos,
            NoLocal: (options & 0x04) != 0,
            RetainAsPublished: (options & 0x08) != 0,
            RetainHandling: (RetainHandling)retainHandling);
    }

    private static SubAckPacket ReadSubAck(ref MqttBodyReader reader, MqttProtocolVersion version)
    {
        var packet = new SubAckPacket { PacketId = ReadPacketId(ref reader, "SUBACK") };
        if (version == MqttProtocolVersion.V500)
        {
            packet.Properties = MqttPropertiesReader.Read(ref reader, PropertyScope.SubAck);
        }

        if (reader.End)
        {
            throw ProtocolErrors.ProtocolError("SUBACK has no reason codes");
        }

        var codes = reader.ReadToEnd();
        packet.ReasonCodes = new List<byte>(codes.Length);
        foreach (var code in codes)
        {
            ReasonCodeRules.EnsureSubAck(code, version);
            packet.ReasonCodes.Add(code);
        }

        return packet;
    }

    private static UnsubscribePacket ReadUnsubscribe(ref MqttBodyReader reader, MqttProtocolVersion version)
    {
        var packet = new UnsubscribePacket { PacketId = ReadPacketId(ref reader, "UNSUBSCRIBE") };
        if (version == MqttProtocolVersion.V500)
        {
            packet.Properties = MqttPropertiesReader.Read(ref reader, PropertyScope.Unsubscribe);
        }

        // MQTT-3.10.3-2: at least one topic filter.
        if (reader.End)
        {
            throw ProtocolErrors.ProtocolError("UNSUBSCRIBE has no topic filters");
        }

        while (!reader.End)
        {
            packet.Filters.Add(ReadTopicFilter(ref reader, "UNSUBSCRIBE"));
        }

        return packet;
    }

    private static UnsubAckPacket ReadUnsubAck(ref MqttBodyReader reader, MqttProtocolVersion version)
    {
        var packet = new UnsubAckPacket { PacketId = ReadPacketId(ref reader, "UNSUBACK") };

        // 3.1.x UNSUBACK is only the packet identifier.
        if (version != MqttProtocolVersion.V500)
        {
            reader.EnsureEnd("UNSUBACK");
            return packet;
        }

        packet.Properties = MqttPropertiesReader.Read(ref reader, PropertyScope.UnsubAck);
        if (reader.End)
        {
            throw ProtocolErrors.ProtocolError("UNSUBACK has no reason codes");
        }

        var codes = reader.ReadToEnd();
        packet.ReasonCodes = new List<byte>(codes.Length);
        foreach (var code in codes)
        {
            ReasonCodeRules.EnsureUnsubAck(code);
            packet.ReasonCodes.Add(code);
        }

        return packet;
    }
}
