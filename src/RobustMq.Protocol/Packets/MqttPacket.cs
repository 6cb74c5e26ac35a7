namespace RobustMq.Protocol.Packets;

/// <summary>A decoded MQTT control packet.</summary>
public abstract class MqttPacket
{
    public abstract MqttPacketType Type { get; }
}
