using RobustMq.Protocol.Properties;

namespace RobustMq.Protocol.Packets;

/// <summary>UNSUBSCRIBE (3.10).</summary>
public sealed class UnsubscribePacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.Unsubscribe;
    public ushort PacketId { get; set; }
    public List<string> Filters { get; set; } = [];
    public MqttProperties? Properties { get; set; }
}
