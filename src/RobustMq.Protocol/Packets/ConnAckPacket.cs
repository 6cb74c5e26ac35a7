using RobustMq.Protocol.Properties;

namespace RobustMq.Protocol.Packets;

/// <summary>CONNACK (3.2). <see cref="ReasonCode"/> is the MQTT 5 reason code or, for 3.1.x, the return code.</summary>
public sealed class ConnAckPacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.ConnAck;
    public bool SessionPresent { get; set; }
    public byte ReasonCode { get; set; }
    public MqttProperties? Properties { get; set; }
}
