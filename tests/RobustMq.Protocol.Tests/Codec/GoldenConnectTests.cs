using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;
using RobustMq.Protocol.Tests.Codec.Support;

namespace RobustMq.Protocol.Tests.Codec;

public sealed class GoldenConnectTests
{
    [Fact]
    public void Mqtt31_connect_uses_MQIsdp_level_3()
    {
        const string hex = "10 11 00 06 4D 51 49 73 64 70 03 02 00 3C 00 03 61 62 63";
        var expected = new ConnectPacket
        {
            ProtocolName = "MQIsdp",
            ProtocolVersion = MqttProtocolVersion.V310,
            CleanStart = true,
            KeepAlive = 60,
            ClientId = "abc",
        };

        Golden.RoundTrip(hex, expected, MqttProtocolVersion.V310);
    }

    [Fact]
    public void Mqtt311_connect_with_will_user_name_and_password()
    {
        // Flags 0xEE: user name, password, will retain, will QoS 1, will, clean session.
        const string hex = "10 1F 00 04 4D 51 54 54 04 EE 00 0A 00 02 63 31 00 03 77 2F 74 00 03 62 79 65 00 01 75 00 02 70 77";
        var expected = new ConnectPacket
        {
            ProtocolName = "MQTT",
            ProtocolVersion = MqttProtocolVersion.V311,
            CleanStart = true,
            KeepAlive = 10,
            ClientId = "c1",
            Will = new WillMessage { Topic = "w/t", Payload = "bye"u8.ToArray(), QoS = QoS.AtLeastOnce, Retain = true },
            UserName = "u",
            Password = "pw"u8.ToArray(),
        };

        Golden.RoundTrip(hex, expected, MqttProtocolVersion.V311);
    }

    [Fact]
    public void Mqtt5_connect_with_properties_and_will_properties()
    {
        const string hex =
            "10 37 00 04 4D 51 54 54 05 86 00 1E"
            + " 0F 11 00 00 00 78 21 00 14 26 00 01 6B 00 01 76" // session expiry 120, receive maximum 20, user k=v
            + " 00 02 63 35" // client id "c5"
            + " 0E 01 01 03 00 04 74 65 78 74 18 00 00 00 05" // will: payload format 1, content type "text", delay 5
            + " 00 01 77 00 02 68 69" // will topic "w", payload "hi"
            + " 00 01 75"; // user name "u"
        var expected = new ConnectPacket
        {
            ProtocolName = "MQTT",
            ProtocolVersion = MqttProtocolVersion.V500,
            CleanStart = true,
            KeepAlive = 30,
            ClientId = "c5",
            Properties = new MqttProperties
            {
                SessionExpiryInterval = 120,
                ReceiveMaximum = 20,
                UserProperties = [new UserProperty("k", "v")],
            },
            Will = new WillMessage
            {
                Topic = "w",
                Payload = "hi"u8.ToArray(),
                Properties = new MqttProperties { PayloadFormatIndicator = 1, ContentType = "text", WillDelayInterval = 5 },
            },
            UserName = "u",
        };

        Golden.RoundTrip(hex, expected, MqttProtocolVersion.V500);
    }

    [Fact]
    public void Mqtt5_connect_may_carry_a_password_without_a_user_name()
    {
        const string hex = "10 12 00 04 4D 51 54 54 05 40 00 00 00 00 01 78 00 02 70 77";
        var expected = new ConnectPacket
        {
            ProtocolVersion = MqttProtocolVersion.V500,
            ClientId = "x",
            Password = "pw"u8.ToArray(),
        };

        Golden.RoundTrip(hex, expected, MqttProtocolVersion.V500);
    }

    [Fact]
    public void Connect_with_an_empty_client_id_decodes()
    {
        var connect = Wire.Decode<ConnectPacket>("10 0C 00 04 4D 51 54 54 04 02 00 3C 00 00", MqttProtocolVersion.Unknown);

        Assert.Equal("", connect.ClientId);
        Assert.Null(connect.Will);
        Assert.Null(connect.UserName);
        Assert.Null(connect.Password);
    }

    [Fact]
    public void Connect_is_written_with_its_own_version_when_the_connection_version_is_unknown()
    {
        var connect = new ConnectPacket { ProtocolVersion = MqttProtocolVersion.V310, ClientId = "abc", CleanStart = true, KeepAlive = 60 };

        Assert.Equal(
            "10110006 4D5149736470 03 02 003C 0003616263".Replace(" ", "", StringComparison.Ordinal),
            Hex.Of(Wire.Encode(connect, MqttProtocolVersion.Unknown)));
    }
}
