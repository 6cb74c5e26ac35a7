using RobustMq.Protocol.Packets;

namespace RobustMq.Protocol.Tests.Codec.Support;

/// <summary>Hand-written bytes from the spec decode to the expected packet, and the packet encodes back to the same bytes.</summary>
internal static class Golden
{
    public static void RoundTrip(string hex, MqttPacket expected, MqttProtocolVersion version)
    {
        var bytes = Hex.Bytes(hex);
        var readVersion = expected is ConnectPacket ? MqttProtocolVersion.Unknown : version;

        PacketAssert.Equal(expected, Wire.Decode(bytes, readVersion));
        Assert.Equal(Hex.Of(bytes), Hex.Of(Wire.Encode(expected, version)));
    }
}
