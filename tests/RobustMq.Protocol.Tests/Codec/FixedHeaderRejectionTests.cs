using System.Buffers;
using RobustMq.Protocol.Codec;
using RobustMq.Protocol.ReasonCodes;
using RobustMq.Protocol.Tests.Codec.Support;
using static RobustMq.Protocol.MqttProtocolVersion;

namespace RobustMq.Protocol.Tests.Codec;

public sealed class FixedHeaderRejectionTests
{
    [Fact]
    public void Pingreq_with_reserved_flags_set_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("C1 00", V311));

    [Fact]
    public void Connect_with_reserved_flags_set_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("18 0C 00 04 4D 51 54 54 04 02 00 3C 00 00", Unknown));

    [Fact]
    public void Pubrel_without_flags_0010_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("60 02 00 01", V311));

    [Fact]
    public void Subscribe_without_flags_0010_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("80 06 00 01 00 01 61 00", V311));

    [Fact]
    public void Unsubscribe_without_flags_0010_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("A0 05 00 01 00 01 61", V500));

    [Fact]
    public void Publish_with_qos3_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("36 05 00 01 61 00 01", V311));

    [Fact]
    public void Publish_with_dup_and_qos0_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("38 03 00 01 61", V311));

    [Fact]
    public void Packet_type_0_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("00 00", V311));

    [Theory]
    [InlineData(V310)]
    [InlineData(V311)]
    public void Auth_before_mqtt5_is_malformed(MqttProtocolVersion version) =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("F0 00", version));

    [Fact]
    public void Remaining_length_of_five_bytes_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("30 FF FF FF FF 01", V311));

    [Fact]
    public void Remaining_length_still_continuing_after_four_bytes_is_malformed_before_the_fifth_arrives() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("30 FF FF FF FF", V311));

    [Theory]
    [InlineData("30 03 00 01 61")]
    [InlineData("C0 00")]
    [InlineData("F0 00")]
    public void First_packet_that_is_not_connect_is_a_protocol_error(string hex) =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject(hex, Unknown));

    [Fact]
    public void Packet_too_large_is_detected_from_the_fixed_header_before_the_body_arrives() =>
        Assert.Equal(ReasonCode.PacketTooLarge, Wire.Reject("30 E8 07", V311, maximumPacketSize: 100));

    [Fact]
    public void Connect_too_large_is_detected_before_the_version_is_known() =>
        Assert.Equal(ReasonCode.PacketTooLarge, Wire.Reject("10 E8 07", Unknown, maximumPacketSize: 100));

    [Fact]
    public void Packet_too_large_is_detected_when_the_fixed_header_is_split() =>
        Assert.Equal(ReasonCode.PacketTooLarge, Wire.Error(SegmentedSequence.ByteByByte(Hex.Bytes("30 E8 07")), V311, 100).ReasonCode);

    [Fact]
    public void Packet_one_byte_over_the_maximum_size_is_too_large() =>
        Assert.Equal(ReasonCode.PacketTooLarge, Wire.Reject("30 05 00 01 61 68 69", V311, maximumPacketSize: 6));

    [Fact]
    public void Packet_of_exactly_the_maximum_size_is_accepted()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("30 05 00 01 61 68 69"));

        Assert.True(MqttPacketReader.TryRead(ref buffer, Wire.Limits(V311, maximumPacketSize: 7), out _));
    }

    [Fact]
    public void Incomplete_remaining_length_needs_more_bytes()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("30 FF"));

        Assert.False(MqttPacketReader.TryRead(ref buffer, Wire.Limits(V311), out _));
        Assert.Equal(2, buffer.Length);
    }

    [Fact]
    public void Empty_buffer_needs_more_bytes()
    {
        var buffer = ReadOnlySequence<byte>.Empty;

        Assert.False(MqttPacketReader.TryRead(ref buffer, Wire.Limits(V311), out _));
    }

    [Fact]
    public void Remaining_length_not_in_its_shortest_form_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("30 85 00 00 01 61 00 78", V500));
}
