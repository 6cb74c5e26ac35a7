using RobustMq.Protocol.Properties;

namespace RobustMq.Protocol.Packets;

/// <summary>SUBACK (3.9). Reason codes: granted QoS 0-2 or a failure code (0x80 in 3.1.1).</summary>
public sealed class SubAckPacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.SubAck;
    public ushort PacketId { get; set; }
    public List<byte> ReasonCodes { get; set; } = [];
    public MqttProperties? Properties { get; set; }
}
