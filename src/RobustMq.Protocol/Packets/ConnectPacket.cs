using RobustMq.Protocol.Properties;

namespace RobustMq.Protocol.Packets;

/// <summary>CONNECT (3.1).</summary>
public sealed class ConnectPacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.Connect;

    /// <summary><c>MQTT</c>, or <c>MQIsdp</c> for 3.1.</summary>
    public string ProtocolName { get; set; } = "MQTT";
    public MqttProtocolVersion ProtocolVersion { get; set; } = MqttProtocolVersion.V311;
    /// <summary>Clean Session (3.1.x) / Clean Start (5).</summary>
    public bool CleanStart { get; set; }
    public ushort KeepAlive { get; set; }
    public string ClientId { get; set; } = "";
    public string? UserName { get; set; }
    public byte[]? Password { get; set; }
    public MqttProperties? Properties { get; set; }
    /// <summary>The will message, when the Will Flag is set.</summary>
    public WillMessage? Will { get; set; }
}
