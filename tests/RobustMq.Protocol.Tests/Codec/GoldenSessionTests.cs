using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;
using RobustMq.Protocol.ReasonCodes;
using RobustMq.Protocol.Tests.Codec.Support;

namespace RobustMq.Protocol.Tests.Codec;

/// <summary>CONNACK, PINGREQ, PINGRESP, DISCONNECT and AUTH.</summary>
public sealed class GoldenSessionTests
{
    [Fact]
    public void Mqtt311_connack_with_session_present()
    {
        Golden.RoundTrip("20 02 01 00", new ConnAckPacket { SessionPresent = true }, MqttProtocolVersion.V311);
    }

    [Fact]
    public void Mqtt311_connack_refusing_the_protocol_version()
    {
        Golden.RoundTrip("20 02 00 01", new ConnAckPacket { ReasonCode = 0x01 }, MqttProtocolVersion.V311);
    }

    [Fact]
    public void Mqtt5_connack_without_properties_has_property_length_zero()
    {
        Golden.RoundTrip("20 03 00 00 00", new ConnAckPacket(), MqttProtocolVersion.V500);
    }

    [Fact]
    public void Mqtt5_connack_with_server_properties()
    {
        var expected = new ConnAckPacket
        {
            Properties = new MqttProperties { AssignedClientIdentifier = "id", TopicAliasMaximum = 10, MaximumQoS = 1 },
        };

        Golden.RoundTrip("20 0D 00 00 0A 12 00 02 69 64 22 00 0A 24 01", expected, MqttProtocolVersion.V500);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public void Pingreq_and_pingresp_are_two_bytes(MqttProtocolVersion version)
    {
        Golden.RoundTrip("C0 00", PingReqPacket.Instance, version);
        Golden.RoundTrip("D0 00", PingRespPacket.Instance, version);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public void Normal_disconnect_is_two_bytes(MqttProtocolVersion version)
    {
        Golden.RoundTrip("E0 00", new DisconnectPacket(), version);
    }

    [Fact]
    public void Mqtt5_disconnect_with_a_reason_and_no_properties()
    {
        Golden.RoundTrip("E0 01 04", new DisconnectPacket { ReasonCode = ReasonCode.DisconnectWithWillMessage }, MqttProtocolVersion.V500);
    }

    [Fact]
    public void Mqtt5_disconnect_with_reason_and_properties()
    {
        var expected = new DisconnectPacket
        {
            ReasonCode = ReasonCode.SessionTakenOver,
            Properties = new MqttProperties { SessionExpiryInterval = 0, ReasonString = "x" },
        };

        Golden.RoundTrip("E0 0B 8E 09 11 00 00 00 00 1F 00 01 78", expected, MqttProtocolVersion.V500);
    }

    [Fact]
    public void Mqtt311_writer_drops_the_disconnect_reason()
    {
        var disconnect = new DisconnectPacket { ReasonCode = ReasonCode.ServerShuttingDown };

        Assert.Equal("E000", Hex.Of(Wire.Encode(disconnect, MqttProtocolVersion.V311)));
    }

    [Fact]
    public void Mqtt5_auth_success_is_two_bytes()
    {
        Golden.RoundTrip("F0 00", new AuthPacket(), MqttProtocolVersion.V500);
    }

    [Fact]
    public void Mqtt5_auth_continue_with_method_and_data()
    {
        var expected = new AuthPacket
        {
            ReasonCode = ReasonCode.ContinueAuthentication,
            Properties = new MqttProperties { AuthenticationMethod = "SCRAM", AuthenticationData = new byte[] { 1, 2 } },
        };

        Golden.RoundTrip("F0 0F 18 0D 15 00 05 53 43 52 41 4D 16 00 02 01 02", expected, MqttProtocolVersion.V500);
    }

    [Fact]
    public void Auth_cannot_be_written_for_mqtt311()
    {
        Assert.Throws<ArgumentException>(() => Wire.Encode(new AuthPacket(), MqttProtocolVersion.V311));
    }
}
