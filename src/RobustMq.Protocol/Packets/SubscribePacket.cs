using RobustMq.Protocol.Properties;

namespace RobustMq.Protocol.Packets;

/// <summary>SUBSCRIBE (3.8).</summary>
public sealed class SubscribePacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.Subscribe;
    public ushort PacketId { get; set; }
    public List<TopicSubscription> Subscriptions { get; set; } = [];
    public MqttProperties? Properties { get; set; }
}
