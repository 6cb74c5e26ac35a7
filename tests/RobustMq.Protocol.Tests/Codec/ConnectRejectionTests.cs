using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;
using RobustMq.Protocol.Tests.Codec.Support;
using static RobustMq.Protocol.MqttProtocolVersion;

namespace RobustMq.Protocol.Tests.Codec;

public sealed class ConnectRejectionTests
{
    [Fact]
    public void Connect_with_protocol_level_6_is_an_unsupported_protocol_version() =>
        Assert.Equal(ReasonCode.UnsupportedProtocolVersion, Wire.Reject("10 0C 00 04 4D 51 54 54 06 02 00 3C 00 00", Unknown));

    [Fact]
    public void Connect_MQIsdp_with_level_4_is_an_unsupported_protocol_version() =>
        Assert.Equal(
            ReasonCode.UnsupportedProtocolVersion,
            Wire.Reject("10 0E 00 06 4D 51 49 73 64 70 04 02 00 3C 00 00", Unknown));

    [Fact]
    public void Connect_with_an_unknown_protocol_name_is_an_unsupported_protocol_version() =>
        Assert.Equal(ReasonCode.UnsupportedProtocolVersion, Wire.Reject("10 0C 00 04 4D 51 54 58 04 02 00 3C 00 00", Unknown));

    [Fact]
    public void Connect_with_the_reserved_flag_set_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("10 0C 00 04 4D 51 54 54 04 03 00 3C 00 00", Unknown));

    [Fact]
    public void Connect_with_will_qos3_is_malformed()
    {
        var error = Wire.Error("10 11 00 04 4D 51 54 54 04 1E 00 3C 00 00 00 01 77 00 00", Unknown);

        Assert.Equal(ReasonCode.MalformedPacket, error.ReasonCode);
        Assert.Contains("Will QoS 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Connect_with_will_qos_but_no_will_flag_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("10 0C 00 04 4D 51 54 54 04 0A 00 3C 00 00", Unknown));

    [Fact]
    public void Connect_with_will_retain_but_no_will_flag_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("10 0C 00 04 4D 51 54 54 04 22 00 3C 00 00", Unknown));

    [Fact]
    public void Mqtt311_connect_with_a_password_but_no_user_name_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("10 0F 00 04 4D 51 54 54 04 42 00 3C 00 00 00 01 70", Unknown));

    [Fact]
    public void Mqtt31_connect_with_a_password_but_no_user_name_is_malformed() =>
        Assert.Equal(
            ReasonCode.MalformedPacket,
            Wire.Reject("10 11 00 06 4D 51 49 73 64 70 03 42 00 3C 00 00 00 01 70", Unknown));

    [Fact]
    public void Connect_with_trailing_bytes_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("10 0D 00 04 4D 51 54 54 04 02 00 3C 00 00 FF", Unknown));

    [Fact]
    public void Connect_without_a_client_id_field_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("10 0A 00 04 4D 51 54 54 04 02 00 3C", Unknown));

    [Fact]
    public void Connect_with_a_user_name_flag_but_no_user_name_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("10 0C 00 04 4D 51 54 54 04 82 00 3C 00 00", Unknown));

    [Fact]
    public void Connect_client_id_with_invalid_utf8_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("10 0E 00 04 4D 51 54 54 04 02 00 3C 00 02 C3 28", Unknown));

    [Fact]
    public void Mqtt5_will_payload_marked_utf8_but_not_utf8_is_payload_format_invalid() =>
        Assert.Equal(
            ReasonCode.PayloadFormatInvalid,
            Wire.Reject("10 16 00 04 4D 51 54 54 05 06 00 3C 00 00 00 02 01 01 00 01 77 00 01 FF", Unknown));

    [Fact]
    public void Mqtt5_connect_with_receive_maximum_0_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("10 10 00 04 4D 51 54 54 05 02 00 3C 03 21 00 00 00 00", Unknown));

    [Fact]
    public void Mqtt5_connect_with_maximum_packet_size_0_is_a_protocol_error() =>
        Assert.Equal(
            ReasonCode.ProtocolError,
            Wire.Reject("10 12 00 04 4D 51 54 54 05 02 00 3C 05 27 00 00 00 00 00 00", Unknown));

    [Fact]
    public void Mqtt5_connect_with_request_problem_information_2_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("10 0F 00 04 4D 51 54 54 05 02 00 3C 02 17 02 00 00", Unknown));

    [Fact]
    public void Mqtt5_connect_with_request_response_information_2_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("10 0F 00 04 4D 51 54 54 05 02 00 3C 02 19 02 00 00", Unknown));

    [Fact]
    public void Mqtt5_connect_with_a_topic_alias_property_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("10 10 00 04 4D 51 54 54 05 02 00 3C 03 23 00 01 00 00", Unknown));

    [Fact]
    public void Mqtt5_connect_with_will_delay_outside_the_will_properties_is_malformed() =>
        Assert.Equal(
            ReasonCode.MalformedPacket,
            Wire.Reject("10 12 00 04 4D 51 54 54 05 02 00 3C 05 18 00 00 00 01 00 00", Unknown));

    [Fact]
    public void Mqtt5_connect_with_session_expiry_twice_is_a_protocol_error() =>
        Assert.Equal(
            ReasonCode.ProtocolError,
            Wire.Reject("10 17 00 04 4D 51 54 54 05 02 00 3C 0A 11 00 00 00 01 11 00 00 00 02 00 00", Unknown));

    [Fact]
    public void Mqtt5_connect_with_an_unknown_property_identifier_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("10 0F 00 04 4D 51 54 54 05 02 00 3C 02 05 00 00 00", Unknown));

    [Fact]
    public void Mqtt5_property_length_running_past_the_packet_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("10 0F 00 04 4D 51 54 54 05 02 00 3C 10 11 00 00 00", Unknown));

    [Fact]
    public void Mqtt5_property_value_running_past_the_property_length_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("10 10 00 04 4D 51 54 54 05 02 00 3C 03 11 00 00 00 00", Unknown));

    [Fact]
    public void Mqtt5_connect_with_a_password_but_no_user_name_is_accepted() =>
        Assert.Null(Wire.Decode<ConnectPacket>("10 12 00 04 4D 51 54 54 05 40 00 00 00 00 01 78 00 02 70 77", Unknown).UserName);
}
