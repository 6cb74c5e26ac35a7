using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;
using RobustMq.Protocol.Tests.Codec.Support;
using static RobustMq.Protocol.MqttProtocolVersion;

namespace RobustMq.Protocol.Tests.Codec;

/// <summary>
/// MQTT 5 CONNECT properties, will properties and strings (MQTT 5, 2.2.2.2, 3.1.2.11, 3.1.3.2, 1.5.4), and the
/// version a failing CONNECT reports so that the connection can answer an MQTT 5 client with CONNACK (4.13.1).
/// </summary>
public sealed class ConnectPropertyRejectionTests
{
    [Fact]
    public void Mqtt5_connect_with_property_identifier_0_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("10 0F 00 04 4D 51 54 54 05 02 00 3C 01 00 00 01 63", Unknown));

    [Fact]
    public void Mqtt5_connect_with_a_maximum_qos_property_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("10 10 00 04 4D 51 54 54 05 02 00 3C 02 24 01 00 01 63", Unknown));

    [Fact]
    public void Mqtt5_connect_with_topic_alias_maximum_twice_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("10 14 00 04 4D 51 54 54 05 02 00 3C 06 22 00 01 22 00 02 00 01 63", Unknown));

    [Fact]
    public void Mqtt5_connect_with_authentication_data_but_no_authentication_method_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("10 12 00 04 4D 51 54 54 05 02 00 3C 04 16 00 01 78 00 01 63", Unknown));

    [Fact]
    public void Mqtt5_connect_with_authentication_method_twice_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("10 16 00 04 4D 51 54 54 05 02 00 3C 08 15 00 01 6D 15 00 01 6E 00 01 63", Unknown));

    [Fact]
    public void Mqtt5_connect_client_id_containing_U0000_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("10 10 00 04 4D 51 54 54 05 02 00 3C 00 00 03 61 00 62", Unknown));

    [Fact]
    public void Mqtt5_connect_user_name_with_invalid_utf8_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("10 12 00 04 4D 51 54 54 05 82 00 3C 00 00 01 63 00 02 C3 28", Unknown));

    [Fact]
    public void Mqtt5_connect_user_property_containing_U0000_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("10 17 00 04 4D 51 54 54 05 02 00 3C 09 26 00 03 61 00 62 00 01 76 00 01 63", Unknown));

    [Fact]
    public void Mqtt5_will_topic_containing_U0000_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("10 17 00 04 4D 51 54 54 05 06 00 3C 00 00 01 63 00 00 03 61 00 62 00 01 78", Unknown));

    [Fact]
    public void Mqtt5_will_with_a_subscription_identifier_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("10 17 00 04 4D 51 54 54 05 06 00 3C 00 00 01 63 02 0B 01 00 01 77 00 01 78", Unknown));

    [Fact]
    public void Mqtt5_will_with_a_session_expiry_interval_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("10 1A 00 04 4D 51 54 54 05 06 00 3C 00 00 01 63 05 11 00 00 00 01 00 01 77 00 01 78", Unknown));

    [Fact]
    public void Mqtt5_will_with_will_delay_interval_twice_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("10 1F 00 04 4D 51 54 54 05 06 00 3C 00 00 01 63 0A 18 00 00 00 01 18 00 00 00 02 00 01 77 00 01 78", Unknown));

    [Fact]
    public void Mqtt5_will_with_payload_format_indicator_2_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("10 17 00 04 4D 51 54 54 05 06 00 3C 00 00 01 63 02 01 02 00 01 77 00 01 78", Unknown));

    [Fact]
    public void Mqtt5_will_content_type_with_invalid_utf8_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("10 1A 00 04 4D 51 54 54 05 06 00 3C 00 00 01 63 05 03 00 02 C3 28 00 01 77 00 01 78", Unknown));

    [Fact]
    public void Mqtt5_will_response_topic_with_a_wildcard_is_a_protocol_error() =>
        Assert.Equal(ReasonCode.ProtocolError, Wire.Reject("10 1B 00 04 4D 51 54 54 05 06 00 3C 00 00 01 63 06 08 00 03 72 2F 23 00 01 77 00 01 78", Unknown));

    [Fact]
    public void Mqtt5_will_user_property_value_containing_U0000_is_malformed() =>
        Assert.Equal(ReasonCode.MalformedPacket, Wire.Reject("10 1E 00 04 4D 51 54 54 05 06 00 3C 00 00 01 63 09 26 00 01 6B 00 03 61 00 62 00 01 77 00 01 78", Unknown));

    [Fact]
    public void Mqtt5_connect_with_authentication_method_and_data_is_accepted() =>
        Assert.Equal("m", Wire.Decode<ConnectPacket>("10 16 00 04 4D 51 54 54 05 02 00 3C 08 15 00 01 6D 16 00 01 78 00 01 63", Unknown).Properties!.AuthenticationMethod);

    [Fact]
    public void Mqtt5_connect_that_fails_in_its_body_reports_version_5() =>
        Assert.Equal(V500, Wire.Error("10 10 00 04 4D 51 54 54 05 02 00 3C 00 00 03 61 00 62", Unknown).ConnectVersion);

    [Fact]
    public void Mqtt311_connect_that_fails_in_its_body_reports_version_311() =>
        Assert.Equal(V311, Wire.Error("10 0F 00 04 4D 51 54 54 04 02 00 3C 00 03 61 00 62", Unknown).ConnectVersion);

    [Fact]
    public void Connect_that_fails_before_its_protocol_level_reports_no_version() =>
        Assert.Equal(Unknown, Wire.Error("10 05 00 04 4D 51 54", Unknown).ConnectVersion);

    [Fact]
    public void Failure_in_a_packet_other_than_connect_reports_no_version() =>
        Assert.Equal(Unknown, Wire.Error("82 06 00 01 00 00 00 00", V500).ConnectVersion);
}
