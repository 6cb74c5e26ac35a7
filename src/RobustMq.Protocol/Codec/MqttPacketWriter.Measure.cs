using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;

namespace RobustMq.Protocol.Codec;

/// <summary>Remaining-length computation, done once before anything is written.</summary>
public static partial class MqttPacketWriter
{
    private static PacketLayout Measure(MqttPacket packet, MqttProtocolVersion version) => packet switch
    {
        ConnectPacket p => MeasureConnect(p, version),
        ConnAckPacket p => WithProperties(2, p.Properties, version),
        PublishPacket p => MeasurePublish(p, version),
        PublishResponsePacket p => MeasureWithOptionalReason(2, (byte)p.ReasonCode, p.Properties, version),
        SubscribePacket p => MeasureSubscribe(p, version),
        SubAckPacket p => WithProperties(2 + p.ReasonCodes.Count, p.Properties, version),
        UnsubscribePacket p => MeasureUnsubscribe(p, version),
        UnsubAckPacket p => version == MqttProtocolVersion.V500
            ? WithProperties(2 + p.ReasonCodes.Count, p.Properties, version)
            : new PacketLayout(2, -1),
        PingReqPacket or PingRespPacket => new PacketLayout(0, -1),
        DisconnectPacket p => MeasureWithOptionalReason(0, (byte)p.ReasonCode, p.Properties, version),
        AuthPacket p => MeasureWithOptionalReason(0, (byte)p.ReasonCode, p.Properties, version),
        _ => throw new ArgumentException($"cannot encode {packet.GetType().Name}", nameof(packet)),
    };

    private static PacketLayout MeasureConnect(ConnectPacket packet, MqttProtocolVersion version)
    {
        var isV5 = version == MqttProtocolVersion.V500;

        // Protocol name, level, connect flags, keep alive.
        var size = 2 + (version == MqttProtocolVersion.V310 ? 6 : 4) + 1 + 1 + 2;
        var propertiesLength = -1;
        if (isV5)
        {
            propertiesLength = MqttPropertiesWriter.Measure(packet.Properties);
            size += MqttPropertiesWriter.SizeWithLength(propertiesLength);
        }

        size += MqttSpanWriter.SizeOfString(packet.ClientId);
        var willPropertiesLength = 0;
        if (packet.Will is { } will)
        {
            if (isV5)
            {
                willPropertiesLength = MqttPropertiesWriter.Measure(will.Properties);
                size += MqttPropertiesWriter.SizeWithLength(willPropertiesLength);
            }

            size += MqttSpanWriter.SizeOfString(will.Topic) + MqttSpanWriter.SizeOfBinary(will.Payload.Length);
        }

        if (packet.UserName is not null)
        {
            size += MqttSpanWriter.SizeOfString(packet.UserName);
        }

        if (packet.Password is not null)
        {
            size += MqttSpanWriter.SizeOfBinary(packet.Password.Length);
        }

        return new PacketLayout(size, propertiesLength, willPropertiesLength);
    }

    private static PacketLayout MeasurePublish(PublishPacket packet, MqttProtocolVersion version)
    {
        var size = MqttSpanWriter.SizeOfString(packet.Topic) + (packet.QoS == QoS.AtMostOnce ? 0 : 2);
        var layout = WithProperties(size, packet.Properties, version);
        return layout with { RemainingLength = layout.RemainingLength + packet.Payload.Length };
    }

    private static PacketLayout MeasureSubscribe(SubscribePacket packet, MqttProtocolVersion version)
    {
        var size = 2;
        foreach (var subscription in packet.Subscriptions)
        {
            size += MqttSpanWriter.SizeOfString(subscription.Filter) + 1;
        }

        return WithProperties(size, packet.Properties, version);
    }

    private static PacketLayout MeasureUnsubscribe(UnsubscribePacket packet, MqttProtocolVersion version)
    {
        var size = 2;
        foreach (var filter in packet.Filters)
        {
            size += MqttSpanWriter.SizeOfString(filter);
        }

        return WithProperties(size, packet.Properties, version);
    }

    /// <summary><paramref name="size"/> plus, in MQTT 5, the property list with its length.</summary>
    private static PacketLayout WithProperties(int size, MqttProperties? properties, MqttProtocolVersion version)
    {
        if (version != MqttProtocolVersion.V500)
        {
            return new PacketLayout(size, -1);
        }

        var length = MqttPropertiesWriter.Measure(properties);
        return new PacketLayout(size + MqttPropertiesWriter.SizeWithLength(length), length);
    }

    /// <summary>
    /// PUBACK/PUBREC/PUBREL/PUBCOMP, DISCONNECT and AUTH in MQTT 5: the reason code is left out when it is 0 and
    /// there are no properties, and the property length is left out when there are no properties.
    /// </summary>
    private static PacketLayout MeasureWithOptionalReason(int size, byte reasonCode, MqttProperties? properties, MqttProtocolVersion version)
    {
        if (version != MqttProtocolVersion.V500)
        {
            return new PacketLayout(size, -1);
        }

        var length = MqttPropertiesWriter.Measure(properties);
        if (length == 0)
        {
            return new PacketLayout(reasonCode == 0 ? size : size + 1, -1);
        }

        return new PacketLayout(size + 1 + MqttPropertiesWriter.SizeWithLength(length), length);
    }
}
