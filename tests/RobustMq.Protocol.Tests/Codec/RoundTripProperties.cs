using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RobustMq.Protocol.Codec;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Tests.Codec.Support;

namespace RobustMq.Protocol.Tests.Codec;

/// <summary>Write then read gives the same packet, however the bytes are split, and a prefix is never enough.</summary>
public sealed class RoundTripProperties
{
    public static TheoryData<MqttPacketType, MqttProtocolVersion> TypesAndVersions()
    {
        var data = new TheoryData<MqttPacketType, MqttProtocolVersion>();
        foreach (var (type, version) in MqttGen.TypesAndVersions)
        {
            data.Add(type, version);
        }

        return data;
    }

    [Property(Arbitrary = [typeof(PacketArbitraries)], MaxTest = 500)]
    public void Written_packet_reads_back_equal(PacketCase c)
    {
        var bytes = Wire.Encode(c.Packet, c.Version);

        var decoded = DecodeWithVersionFromConnect(new ReadOnlySequence<byte>(bytes), c.Version);

        PacketAssert.Equal(c.Packet, decoded);
        Assert.Equal(Hex.Of(bytes), Hex.Of(Wire.Encode(decoded, c.Version)));
    }

    [Property(Arbitrary = [typeof(PacketArbitraries)], MaxTest = 500)]
    public void Written_packet_reads_back_equal_from_any_segmentation(PacketCase c, int[] cuts)
    {
        var bytes = Wire.Encode(c.Packet, c.Version);
        var buffer = SegmentedSequence.Create(bytes, cuts.Select(cut => Math.Abs(cut % (bytes.Length + 1))));

        var decoded = DecodeWithVersionFromConnect(buffer, c.Version);

        PacketAssert.Equal(c.Packet, decoded);
    }

    [Property(Arbitrary = [typeof(PacketArbitraries)], MaxTest = 200)]
    public void Every_strict_prefix_needs_more_bytes_and_leaves_the_buffer_alone(PacketCase c, int[] cuts)
    {
        var bytes = Wire.Encode(c.Packet, c.Version);
        var limits = LimitsFor(c);
        foreach (var length in PrefixLengths(bytes.Length))
        {
            var prefix = bytes.AsSpan(0, length).ToArray();
            var buffer = SegmentedSequence.Create(prefix, cuts.Select(cut => Math.Abs(cut % (length + 1))));
            var before = buffer;

            Assert.False(MqttPacketReader.TryRead(ref buffer, limits, out var packet), $"prefix of {length}/{bytes.Length} bytes decoded");
            Assert.Null(packet);
            Assert.Equal(before.Start, buffer.Start);
            Assert.Equal(before.Length, buffer.Length);
        }
    }

    [Property(Arbitrary = [typeof(PacketArbitraries)], MaxTest = 300)]
    public void GetPacketSize_is_the_number_of_bytes_written(PacketCase c) =>
        Assert.Equal(Wire.Encode(c.Packet, c.Version).Length, MqttPacketWriter.GetPacketSize(c.Packet, c.Version));

    [Theory]
    [MemberData(nameof(TypesAndVersions))]
    public void Each_packet_type_round_trips_in_each_version_byte_by_byte(MqttPacketType type, MqttProtocolVersion version)
    {
        var arbitrary = MqttGen.Packet(type, version).ToArbitrary();
        Prop.ForAll(arbitrary, (MqttPacket packet) =>
        {
            var bytes = Wire.Encode(packet, version);
            var decoded = DecodeWithVersionFromConnect(SegmentedSequence.ByteByByte(bytes), version);
            PacketAssert.Equal(packet, decoded);
        }).QuickCheckThrowOnFailure();
    }

    private static DecoderLimits LimitsFor(PacketCase c) =>
        Wire.Limits(c.Packet is ConnectPacket ? MqttProtocolVersion.Unknown : c.Version);

    /// <summary>CONNECT is read before the version is known, as the gateway does; the decoded version must match.</summary>
    private static MqttPacket DecodeWithVersionFromConnect(ReadOnlySequence<byte> buffer, MqttProtocolVersion version)
    {
        if (buffer.FirstSpan.Length > 0 && buffer.FirstSpan[0] >> 4 == (int)MqttPacketType.Connect)
        {
            var connect = Assert.IsType<ConnectPacket>(Wire.Decode(buffer, MqttProtocolVersion.Unknown));
            Assert.Equal(version, connect.ProtocolVersion);
            return connect;
        }

        return Wire.Decode(buffer, version);
    }

    /// <summary>All short prefixes, then a sample of longer ones so multi-kilobyte payloads stay quick.</summary>
    private static IEnumerable<int> PrefixLengths(int packetLength)
    {
        var step = Math.Max(1, packetLength / 64);
        for (var length = 0; length < packetLength; length += length < 64 ? 1 : step)
        {
            yield return length;
        }

        if (packetLength > 0)
        {
            yield return packetLength - 1;
        }
    }
}
