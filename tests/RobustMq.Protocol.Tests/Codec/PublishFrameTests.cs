using System.Buffers;
using System.Text;
using RobustMq.Protocol.Codec;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;
using RobustMq.Protocol.Tests.Codec.Support;
using static RobustMq.Protocol.MqttProtocolVersion;

namespace RobustMq.Protocol.Tests.Codec;

public sealed class PublishFrameTests
{
    [Fact]
    public void A_publish_comes_back_as_a_frame_whose_topic_and_payload_are_slices_of_the_input()
    {
        var bytes = Wire.Encode(new PublishPacket { Topic = "a/b", QoS = QoS.AtLeastOnce, PacketId = 7, Retain = true, Payload = "hi"u8.ToArray() }, V311);
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.True(MqttPacketReader.TryReadFrame(ref buffer, Wire.Limits(V311), out var packet, out var frame));

        Assert.Null(packet);
        Assert.Equal((QoS.AtLeastOnce, true, false, (ushort)7), (frame.QoS, frame.Retain, frame.Dup, frame.PacketId));
        Assert.Equal("a/b", Encoding.UTF8.GetString(frame.Topic));
        Assert.Equal("hi", Encoding.UTF8.GetString(frame.Payload));
        Assert.True(bytes.AsMemory().Span.Overlaps(frame.Payload.FirstSpan), "the payload is a slice of the input, not a copy");
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void Other_packets_come_back_as_packets()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("C0 00"));

        Assert.True(MqttPacketReader.TryReadFrame(ref buffer, Wire.Limits(V311), out var packet, out _));

        Assert.Same(PingReqPacket.Instance, packet);
    }

    [Fact]
    public void A_publish_split_inside_its_topic_and_properties_decodes_like_a_contiguous_one()
    {
        var properties = new MqttProperties { ContentType = "text/plain", MessageExpiryInterval = 30 };
        var bytes = Wire.Encode(new PublishPacket { Topic = "sensors/42/temp", QoS = QoS.ExactlyOnce, PacketId = 300, Properties = properties, Payload = "21.5"u8.ToArray() }, V500);
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var buffer = SegmentedSequence.Create(bytes, [cut, cut + 3]);

            Assert.True(MqttPacketReader.TryReadFrame(ref buffer, Wire.Limits(V500), out _, out var frame), $"cut at {cut}");

            Assert.Equal("sensors/42/temp", Encoding.UTF8.GetString(frame.Topic));
            Assert.Equal("21.5", Encoding.UTF8.GetString(frame.Payload));
            Assert.Equal(((ushort)300, "text/plain", 30u), (frame.PacketId, frame.Properties!.ContentType, frame.Properties.MessageExpiryInterval!.Value));
        }
    }

    [Fact]
    public void Decoding_a_publish_frame_allocates_nothing()
    {
        var bytes = Wire.Encode(new PublishPacket { Topic = "site/7/device/12/telemetry", QoS = QoS.AtLeastOnce, PacketId = 1, Payload = new byte[64] }, V500);
        var limits = Wire.Limits(V500);
        ushort sum = 0;
        for (var warm = 0; warm < 100; warm++)
        {
            sum += Decode(bytes, limits);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            sum += Decode(bytes, limits);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"decoding 1000 PUBLISH frames allocated {allocated} bytes (checksum {sum})");
    }

    [Fact]
    public void The_packet_form_of_a_frame_owns_copies_of_topic_and_payload()
    {
        var bytes = Wire.Encode(new PublishPacket { Topic = "t", Payload = "p"u8.ToArray() }, V311);
        var buffer = new ReadOnlySequence<byte>(bytes);
        MqttPacketReader.TryReadFrame(ref buffer, Wire.Limits(V311), out _, out var frame);

        var packet = frame.ToPacket();
        bytes.AsSpan().Clear();

        Assert.Equal(("t", "p"), (packet.Topic, Encoding.UTF8.GetString(packet.Payload.Span)));
    }

    private static ushort Decode(byte[] bytes, DecoderLimits limits)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        MqttPacketReader.TryReadFrame(ref buffer, limits, out _, out var frame);
        return (ushort)(frame.PacketId + frame.Payload.Length + frame.Topic.Length);
    }
}
