using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;
using RobustMq.Protocol.Tests.Codec.Support;
using static RobustMq.Protocol.MqttProtocolVersion;

namespace RobustMq.Protocol.Tests.Codec;

public sealed class PublishRejectionTests
{
    [Fact]
    public void Mqtt5_publish_topic_with_plus_wildcard_is_topic_name_invalid() =>
        Assert.Equal(ReasonCode.TopicNameInvalid, Wire.Reject("30 06 00 03 61 2F 2B 00", V500));

    [Fact]
    public void Mqtt311_publish_topic_with_hash_wildcard_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("30 05 00 03 61 2F 23", V311));

    [Fact]
    public void Publish_qos1_with_packet_id_0_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("32 05 00 01 61 00 00", V311));

    [Fact]
    public void Publish_qos1_without_a_packet_id_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("32 03 00 01 61", V311));

    [Fact]
    public void Mqtt5_publish_with_empty_topic_and_no_topic_alias_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("30 03 00 00 00", V500));

    [Fact]
    public void Mqtt311_publish_with_empty_topic_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("30 02 00 00", V311));

    [Fact]
    public void Publish_topic_with_invalid_utf8_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("30 04 00 02 C3 28", V311));

    [Fact]
    public void Publish_topic_with_an_overlong_utf8_encoding_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("30 04 00 02 C0 AF", V311));

    [Fact]
    public void Publish_topic_with_an_encoded_surrogate_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("30 05 00 03 ED A0 80", V311));

    [Fact]
    public void Publish_topic_with_U0000_is_malformed()
    {
        var error = Wire.Error("30 05 00 03 61 00 62", V311);

        Assert.Equal(ReasonCode.MalformedPacket, error.ReasonCode);
        Assert.Contains("U+0000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_topic_length_past_the_packet_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("30 03 00 05 61", V311));

    [Fact]
    public void Mqtt5_payload_marked_utf8_but_not_utf8_is_payload_format_invalid() =>
        Assert.Equal(ReasonCode.PayloadFormatInvalid, Wire.Reject("30 07 00 01 61 02 01 01 FF", V500));

    [Fact]
    public void Mqtt5_payload_marked_unspecified_may_be_any_bytes() =>
        Assert.Equal([0xFF], Wire.Decode<PublishPacket>("30 07 00 01 61 02 01 00 FF", V500).Payload.ToArray());

    [Fact]
    public void Mqtt5_publish_with_message_expiry_twice_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("30 0E 00 01 61 0A 02 00 00 00 01 02 00 00 00 02", V500));

    [Fact]
    public void Mqtt5_publish_with_receive_maximum_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("30 07 00 01 61 03 21 00 01", V500));

    // MQTT 5, 3.3.4: a Topic Alias of 0 is a Protocol Error answered with 0x94 Topic Alias invalid.
    [Fact]
    public void Mqtt5_publish_with_topic_alias_0_is_topic_alias_invalid() =>
        Assert.Equal(ReasonCode.TopicAliasInvalid, Wire.Reject("30 07 00 01 61 03 23 00 00", V500));

    [Fact]
    public void Mqtt5_publish_with_payload_format_indicator_2_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("30 06 00 01 61 02 01 02", V500));

    [Fact]
    public void Mqtt5_publish_with_subscription_identifier_0_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("30 06 00 01 61 02 0B 00", V500));

    [Fact]
    public void Mqtt5_publish_may_repeat_the_subscription_identifier() =>
        Assert.Equal([1u, 2u], Wire.Decode<PublishPacket>("30 08 00 01 61 04 0B 01 0B 02", V500).Properties!.SubscriptionIdentifiers!);

    [Fact]
    public void Mqtt5_publish_response_topic_with_a_hash_wildcard_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("30 0B 00 01 61 06 08 00 03 72 2F 23 78", V500));

    [Fact]
    public void Mqtt5_publish_response_topic_with_a_plus_wildcard_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("30 0D 00 01 61 08 08 00 05 72 2F 2B 2F 78 78", V500));

    [Fact]
    public void Mqtt5_publish_with_an_empty_response_topic_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("30 08 00 01 61 03 08 00 00 78", V500));

    [Fact]
    public void Mqtt5_publish_response_topic_containing_U0000_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("30 0B 00 01 61 06 08 00 03 61 00 62 78", V500));

    [Fact]
    public void Mqtt5_publish_content_type_with_invalid_utf8_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("30 0A 00 01 61 05 03 00 02 C3 28 78", V500));

    [Fact]
    public void Mqtt5_publish_user_property_name_containing_U0000_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("30 0E 00 01 61 09 26 00 03 61 00 62 00 01 76 78", V500));

    [Fact]
    public void Mqtt5_publish_with_correlation_data_twice_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("30 0D 00 01 61 08 09 00 01 61 09 00 01 62 78", V500));

    [Fact]
    public void Mqtt5_publish_with_a_will_delay_interval_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("30 0A 00 01 61 05 18 00 00 00 01 78", V500));

    [Fact]
    public void Mqtt5_property_length_not_in_its_shortest_form_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("30 06 00 01 61 80 00 78", V500));
}
