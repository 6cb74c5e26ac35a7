namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>A packet read off a raw socket as it was on the wire (fixed header included), in upper-case hex.</summary>
public static class RawPacketHex
{
    public static string Of(RawPacket packet) => Convert.ToHexString(RawPackets.Frame(packet.FirstByte, packet.Body));
}
