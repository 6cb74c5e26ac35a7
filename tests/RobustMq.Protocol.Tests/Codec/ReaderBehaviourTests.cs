using System.Buffers;
using RobustMq.Protocol.Codec;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Tests.Codec.Support;
using static RobustMq.Protocol.MqttProtocolVersion;

namespace RobustMq.Protocol.Tests.Codec;

public sealed class ReaderBehaviourTests
{
    [Fact]
    public void Back_to_back_packets_are_read_one_at_a_time()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("C0 00 30 03 00 01 61"));
        var limits = Wire.Limits(V311);

        Assert.True(MqttPacketReader.TryRead(ref buffer, limits, out var first));
        Assert.Same(PingReqPacket.Instance, first);
        Assert.Equal(5, buffer.Length);
        Assert.True(MqttPacketReader.TryRead(ref buffer, limits, out var second));
        Assert.Equal("a", Assert.IsType<PublishPacket>(second).Topic);
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void Packet_followed_by_a_partial_packet_leaves_the_partial_one()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("C0 00 30 03 00"));
        var limits = Wire.Limits(V311);

        Assert.True(MqttPacketReader.TryRead(ref buffer, limits, out _));
        Assert.False(MqttPacketReader.TryRead(ref buffer, limits, out _));
        Assert.Equal("300300", Hex.Of(buffer.ToArray()));
    }

    [Fact]
    public void Incomplete_body_needs_more_bytes_and_leaves_the_buffer()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("30 0A 00 03 61 2F 62 68"));

        Assert.False(MqttPacketReader.TryRead(ref buffer, Wire.Limits(V311), out var packet));
        Assert.Null(packet);
        Assert.Equal(8, buffer.Length);
    }

    [Fact]
    public void Connect_decides_its_own_version_while_the_connection_version_is_unknown()
    {
        var connect = Wire.Decode<ConnectPacket>("10 0D 00 04 4D 51 54 54 05 02 00 3C 00 00 00", Unknown);

        Assert.Equal(V500, connect.ProtocolVersion);
        Assert.Equal("MQTT", connect.ProtocolName);
    }

    [Fact]
    public void Large_publish_split_into_many_segments_decodes_the_whole_payload()
    {
        var payload = Enumerable.Range(0, 70_000).Select(i => (byte)i).ToArray();
        var bytes = Wire.Encode(new PublishPacket { Topic = "big", QoS = QoS.AtLeastOnce, PacketId = 9, Payload = payload }, V500);
        var buffer = SegmentedSequence.Create(bytes, Enumerable.Range(1, bytes.Length / 4096).Select(i => i * 4096));

        var publish = Assert.IsType<PublishPacket>(Wire.Decode(buffer, V500));

        Assert.Equal(payload, publish.Payload.ToArray());
    }

    [Fact]
    public void Publish_with_properties_split_inside_the_variable_header_decodes()
    {
        var bytes = Hex.Bytes("34 17 00 01 74 00 01 0F 01 01 02 00 00 00 3C 0B 01 0B 81 01 23 00 05 6F 6B");
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var publish = Assert.IsType<PublishPacket>(Wire.Decode(SegmentedSequence.Create(bytes, [cut]), V500));

            Assert.Equal([1u, 129u], publish.Properties!.SubscriptionIdentifiers!);
            Assert.Equal("ok"u8.ToArray(), publish.Payload.ToArray());
        }
    }

    [Fact]
    public void Decoding_a_publish_allocates_only_the_packet_the_topic_and_the_payload()
    {
        var bytes = Hex.Bytes("32 0C 00 03 61 2F 62 00 01 68 65 6C 6C 6F");
        var limits = Wire.Limits(V311);
        for (var i = 0; i < 100; i++)
        {
            ReadOne(bytes, limits);
        }

        const int count = 1000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < count; i++)
        {
            ReadOne(bytes, limits);
        }

        var perPacket = (GC.GetAllocatedBytesForCurrentThread() - before) / count;

        // 64-bit: PublishPacket 56 B + "a/b" 32 B + 5-byte payload array 32 B.
        Assert.True(perPacket <= 120, $"decoding one PUBLISH allocated {perPacket} bytes");
    }

    private static MqttPacket ReadOne(byte[] bytes, in DecoderLimits limits)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(MqttPacketReader.TryRead(ref buffer, limits, out var packet));
        return packet;
    }
}
