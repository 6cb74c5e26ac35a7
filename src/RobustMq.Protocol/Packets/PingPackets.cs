namespace RobustMq.Protocol.Packets;

/// <summary>PINGREQ (3.12). Stateless: one shared instance.</summary>
public sealed class PingReqPacket : MqttPacket
{
    public static readonly PingReqPacket Instance = new();
    public override MqttPacketType Type => MqttPacketType.PingReq;
}

/// <summary>PINGRESP (3.13). Stateless: one shared instance.</summary>
public sealed class PingRespPacket : MqttPacket
{
    public static readonly PingRespPacket Instance = new();
    public override MqttPacketType Type => MqttPacketType.PingResp;
}
