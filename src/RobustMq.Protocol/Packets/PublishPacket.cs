using RobustMq.Protocol.Properties;

namespace RobustMq.Protocol.Packets;

/// <summary>PUBLISH (3.3). The payload is copied once out of the connection's buffer by the decoder.</summary>
public sealed class PublishPacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.Publish;
    public bool Dup { get; set; }
    public QoS QoS { get; set; }
    public bool Retain { get; set; }
    /// <summary>The topic name; empty when an MQTT 5 topic alias stands for it.</summary>
    public string Topic { get; set; } = "";
    /// <summary>Present only when QoS &gt; 0.</summary>
    public ushort PacketId { get; set; }
    public MqttProperties? Properties { get; set; }
    public ReadOnlyMemory<byte> Payload { get; set; }
}
