namespace RobustMq.Protocol.Codec;

/// <summary>What measuring a packet found, so writing it does not measure again.</summary>
/// <param name="RemainingLength">The fixed header's Remaining Length.</param>
/// <param name="PropertiesLength">The packet's Property Length (MQTT 5), or -1 when the property field is omitted.</param>
/// <param name="WillPropertiesLength">The will's Property Length (MQTT 5 CONNECT with a will).</param>
internal readonly record struct PacketLayout(int RemainingLength, int PropertiesLength, int WillPropertiesLength = 0)
{
    public int PacketSize => 1 + MqttSpanWriter.SizeOfVariableByteInteger(RemainingLength) + RemainingLength;
}
