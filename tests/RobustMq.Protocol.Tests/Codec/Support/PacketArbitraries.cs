using FsCheck;
using FsCheck.Fluent;

namespace RobustMq.Protocol.Tests.Codec.Support;

/// <summary>FsCheck arbitraries for <c>[Property(Arbitrary = [typeof(PacketArbitraries)])]</c>.</summary>
public static class PacketArbitraries
{
    public static Arbitrary<PacketCase> PacketCase() => Arb.From(MqttGen.AnyPacket);
}
