using RobustMq.Protocol.Properties;

namespace RobustMq.Protocol.Packets;

/// <summary>The will of a CONNECT: topic, payload, QoS, retain and (MQTT 5) will properties.</summary>
public sealed class WillMessage
{
    public string Topic { get; set; } = "";
    public byte[] Payload { get; set; } = [];
    public QoS QoS { get; set; }
    public bool Retain { get; set; }
    /// <summary>Will properties (MQTT 5 only): will delay, expiry, content type, response topic, ...</summary>
    public MqttProperties? Properties { get; set; }
}
