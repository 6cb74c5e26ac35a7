using RobustMq.Protocol.Properties;

namespace RobustMq.Protocol.Packets;

/// <summary>UNSUBACK (3.11). Reason codes are written in MQTT 5 only.</summary>
public sealed class UnsubAckPacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.UnsubAck;
    public ushort PacketId { get; set; }
    public List<byte> ReasonCodes { get; set; } = [];
    public MqttProperties? Properties { get; set; }
}
