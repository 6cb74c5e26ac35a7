using RobustMq.Protocol.Properties;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Protocol.Packets;

/// <summary>PUBACK, PUBREC, PUBREL and PUBCOMP share one shape: packet id, reason code, properties.</summary>
public abstract class PublishResponsePacket : MqttPacket
{
    public ushort PacketId { get; set; }
    public ReasonCode ReasonCode { get; set; }
    public MqttProperties? Properties { get; set; }
}

/// <summary>PUBACK (3.4).</summary>
public sealed class PubAckPacket : PublishResponsePacket
{
    public override MqttPacketType Type => MqttPacketType.PubAck;
}

/// <summary>PUBREC (3.5).</summary>
public sealed class PubRecPacket : PublishResponsePacket
{
    public override MqttPacketType Type => MqttPacketType.PubRec;
}

/// <summary>PUBREL (3.6).</summary>
public sealed class PubRelPacket : PublishResponsePacket
{
    public override MqttPacketType Type => MqttPacketType.PubRel;
}

/// <summary>PUBCOMP (3.7).</summary>
public sealed class PubCompPacket : PublishResponsePacket
{
    public override MqttPacketType Type => MqttPacketType.PubComp;
}
