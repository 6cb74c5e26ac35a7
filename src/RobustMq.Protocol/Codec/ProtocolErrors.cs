using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Protocol.Codec;

/// <summary>The exceptions the decoder throws, so each call site reads as one line: <c>throw ProtocolErrors.Malformed("...")</c>.</summary>
internal static class ProtocolErrors
{
    public static MqttProtocolException Malformed(string message) => new(ReasonCode.MalformedPacket, message);

    public static MqttProtocolException ProtocolError(string message) => new(ReasonCode.ProtocolError, message);

    public static MqttProtocolException Truncated() => new(ReasonCode.MalformedPacket, "field runs past the end of the packet");
}
