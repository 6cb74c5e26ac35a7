namespace RobustMq.Protocol;

/// <summary>The protocol level byte of CONNECT.</summary>
public enum MqttProtocolVersion : byte
{
    /// <summary>Not yet known: only CONNECT may be decoded.</summary>
    Unknown = 0,
    /// <summary>MQTT 3.1, protocol name <c>MQIsdp</c>.</summary>
    V310 = 3,
    /// <summary>MQTT 3.1.1, protocol name <c>MQTT</c>.</summary>
    V311 = 4,
    /// <summary>MQTT 5.0.</summary>
    V500 = 5,
}
