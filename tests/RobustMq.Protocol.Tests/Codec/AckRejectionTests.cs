using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;
using RobustMq.Protocol.Tests.Codec.Support;
using static RobustMq.Protocol.MqttProtocolVersion;

namespace RobustMq.Protocol.Tests.Codec;

/// <summary>Fixed-size bodies, reason codes and properties of CONNACK, acks, PING, DISCONNECT and AUTH.</summary>
public sealed class AckRejectionTests
{
    [Fact]
    public void Pingreq_with_a_body_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("C0 01 00", V311));

    [Fact]
    public void Mqtt311_puback_with_trailing_bytes_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("40 03 00 07 00", V311));

    [Fact]
    public void Puback_shorter_than_a_packet_id_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("40 01 00", V311));

    [Fact]
    public void Puback_with_packet_id_0_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("40 02 00 00", V311));

    [Fact]
    public void Mqtt5_puback_with_a_pubrel_reason_code_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("40 03 00 07 92", V500));

    [Fact]
    public void Mqtt5_pubrel_with_a_puback_reason_code_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("62 03 00 07 10", V500));

    [Fact]
    public void Mqtt5_puback_with_a_session_expiry_property_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("40 09 00 07 00 05 11 00 00 00 01", V500));

    [Fact]
    public void Mqtt311_disconnect_with_a_body_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("E0 01 00", V311));

    [Fact]
    public void Mqtt5_disconnect_with_an_unknown_reason_code_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("E0 01 01", V500));

    [Fact]
    public void Mqtt5_disconnect_with_a_topic_alias_property_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("E0 05 00 03 23 00 01", V500));

    [Fact]
    public void Connack_with_reserved_acknowledge_flags_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("20 02 02 00", V311));

    [Fact]
    public void Mqtt311_connack_with_return_code_6_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("20 02 00 06", V311));

    [Fact]
    public void Mqtt5_connack_with_maximum_qos_2_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("20 05 00 00 02 24 02", V500));

    [Fact]
    public void Mqtt5_connack_with_retain_available_2_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("20 05 00 00 02 25 02", V500));

    [Fact]
    public void Mqtt5_connack_without_property_length_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("20 02 00 00", V500));

    [Fact]
    public void Mqtt5_auth_with_an_unknown_reason_code_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("F0 01 01", V500));

    [Fact]
    public void Mqtt5_auth_with_authentication_data_but_no_authentication_method_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("F0 06 18 04 16 00 01 78", V500));

    [Fact]
    public void Mqtt5_auth_with_properties_but_no_authentication_method_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("F0 08 18 06 1F 00 03 77 68 79", V500));

    [Fact]
    public void Mqtt5_auth_with_a_session_expiry_property_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("F0 0B 18 09 15 00 01 6D 11 00 00 00 01", V500));

    [Fact]
    public void Mqtt5_auth_with_an_authentication_method_and_data_is_accepted() =>
        Assert.Equal("m", Wire.Decode<AuthPacket>("F0 0A 18 08 15 00 01 6D 16 00 01 78", V500).Properties!.AuthenticationMethod);
}
