using RobustMq.Protocol.ReasonCodes;
using RobustMq.Protocol.Tests.Codec.Support;
using static RobustMq.Protocol.MqttProtocolVersion;

namespace RobustMq.Protocol.Tests.Codec;

public sealed class SubscribeRejectionTests
{
    [Fact]
    public void Mqtt311_subscribe_with_no_filters_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("82 02 00 01", V311));

    [Fact]
    public void Mqtt5_subscribe_with_no_filters_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("82 03 00 01 00", V500));

    [Fact]
    public void Subscribe_with_packet_id_0_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("82 06 00 00 00 01 61 00", V311));

    [Fact]
    public void Subscribe_filter_without_an_options_byte_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("82 05 00 01 00 01 61", V311));

    [Fact]
    public void Mqtt311_subscribe_options_with_qos3_are_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("82 06 00 01 00 01 61 03", V311));

    [Fact]
    public void Mqtt311_subscribe_options_with_bits_2_to_7_set_are_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("82 06 00 01 00 01 61 04", V311));

    [Fact]
    public void Mqtt5_subscribe_options_with_qos3_are_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("82 07 00 01 00 00 01 61 03", V500));

    [Fact]
    public void Mqtt5_subscribe_options_with_reserved_bits_set_are_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("82 07 00 01 00 00 01 61 40", V500));

    [Fact]
    public void Mqtt5_subscribe_options_with_retain_handling_3_are_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("82 07 00 01 00 00 01 61 30", V500));

    [Fact]
    public void Mqtt5_subscribe_with_two_subscription_identifiers_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("82 0B 00 01 04 0B 01 0B 02 00 01 61 00", V500));

    [Fact]
    public void Mqtt5_subscribe_with_subscription_identifier_0_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("82 09 00 01 02 0B 00 00 01 61 00", V500));

    [Fact]
    public void Unsubscribe_with_no_filters_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("A2 02 00 01", V311));

    [Fact]
    public void Unsubscribe_with_packet_id_0_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("A2 05 00 00 00 01 61", V311));

    [Fact]
    public void Mqtt5_unsubscribe_with_a_subscription_identifier_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("A2 08 00 01 02 0B 01 00 01 61", V500));

    [Fact]
    public void Mqtt311_suback_with_an_unknown_return_code_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("90 03 00 01 03", V311));

    [Fact]
    public void Mqtt5_subscribe_with_an_empty_topic_filter_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("82 06 00 01 00 00 00 00", V500));

    [Fact]
    public void Mqtt311_subscribe_with_an_empty_topic_filter_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("82 05 00 01 00 00 00", V311));

    [Fact]
    public void Mqtt5_subscribe_with_an_empty_filter_after_a_valid_one_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("82 0A 00 01 00 00 01 61 00 00 00 00", V500));

    [Fact]
    public void Mqtt5_subscribe_filter_containing_U0000_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("82 09 00 01 00 00 03 61 00 62 00", V500));

    [Fact]
    public void Mqtt5_unsubscribe_with_an_empty_topic_filter_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("A2 05 00 01 00 00 00", V500));

    [Fact]
    public void Mqtt311_unsubscribe_with_an_empty_topic_filter_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("A2 04 00 01 00 00", V311));

    [Fact]
    public void Mqtt5_unsubscribe_filter_with_invalid_utf8_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("A2 07 00 01 00 00 02 C3 28", V500));

    [Fact]
    public void Mqtt5_subscribe_with_a_topic_alias_property_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("82 0A 00 01 03 23 00 01 00 01 61 00", V500));
}
