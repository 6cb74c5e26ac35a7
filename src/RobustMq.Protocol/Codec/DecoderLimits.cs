namespace RobustMq.Protocol.Codec;

/// <summary>What the decoder needs to know about the connection: its version and the largest packet it accepts.</summary>
public readonly record struct DecoderLimits(MqttProtocolVersion Version, uint MaximumPacketSize)
{
    /// <summary>The MQTT maximum: remaining length 268,435,455 plus a 5-byte fixed header.</summary>
    public const uint ProtocolMaximumPacketSize = 268_435_460;
}
