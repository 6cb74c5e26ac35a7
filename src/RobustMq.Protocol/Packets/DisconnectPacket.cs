using RobustMq.Protocol.Properties;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Protocol.Packets;

/// <summary>DISCONNECT (3.14). Reason code and properties are MQTT 5 only.</summary>
public sealed class DisconnectPacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.Disconnect;
    public ReasonCode ReasonCode { get; set; }
    public MqttProperties? Properties { get; set; }
}
