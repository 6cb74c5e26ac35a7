using RobustMq.Protocol.Properties;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Protocol.Packets;

/// <summary>AUTH (3.15), MQTT 5 only.</summary>
public sealed class AuthPacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.Auth;
    public ReasonCode ReasonCode { get; set; }
    public MqttProperties? Properties { get; set; }
}
