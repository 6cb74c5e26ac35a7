using System.Runtime.InteropServices;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;
using RobustMq.Protocol.ReasonCodes;
using RobustMq.Protocol.Tests.Codec.Support;

namespace RobustMq.Protocol.Tests.Codec;

public sealed class GoldenPublishTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    public void Mqtt3_publish_qos0(MqttProtocolVersion version)
    {
        var expected = new PublishPacket { Topic = "a/b", Payload = "hello"u8.ToArray() };

        Golden.RoundTrip("30 0A 00 03 61 2F 62 68 65 6C 6C 6F", expected, version);
    }

    [Fact]
    public void Mqtt311_publish_qos1_with_dup_and_retain()
    {
        var expected = new PublishPacket
        {
            Dup = true,
            QoS = QoS.AtLeastOnce,
            Retain = true,
            Topic = "a/b",
            PacketId = 10,
            Payload = "hi"u8.ToArray(),
        };

        Golden.RoundTrip("3B 09 00 03 61 2F 62 00 0A 68 69", expected, MqttProtocolVersion.V311);
    }

    [Fact]
    public void Mqtt5_publish_qos2_with_properties_and_two_subscription_identifiers()
    {
        const string hex =
            "34 17 00 01 74 00 01"
            + " 0F 01 01 02 00 00 00 3C 0B 01 0B 81 01 23 00 05" // format 1, expiry 60, sub ids 1 and 129, alias 5
            + " 6F 6B";
        var expected = new PublishPacket
        {
            QoS = QoS.ExactlyOnce,
            Topic = "t",
            PacketId = 1,
            Properties = new MqttProperties
            {
                PayloadFormatIndicator = 1,
                MessageExpiryInterval = 60,
                SubscriptionIdentifiers = [1, 129],
                TopicAlias = 5,
            },
            Payload = "ok"u8.ToArray(),
        };

        Golden.RoundTrip(hex, expected, MqttProtocolVersion.V500);
    }

    [Fact]
    public void Mqtt5_publish_with_a_topic_alias_may_have_an_empty_topic()
    {
        var expected = new PublishPacket { Topic = "", Properties = new MqttProperties { TopicAlias = 1 }, Payload = "x"u8.ToArray() };

        Golden.RoundTrip("30 07 00 00 03 23 00 01 78", expected, MqttProtocolVersion.V500);
    }

    [Fact]
    public void Mqtt5_publish_without_properties_has_property_length_zero()
    {
        var expected = new PublishPacket { Topic = "a", Payload = "z"u8.ToArray() };

        Golden.RoundTrip("30 05 00 01 61 00 7A", expected, MqttProtocolVersion.V500);
    }

    [Fact]
    public void Mqtt5_publish_user_properties_keep_order_and_duplicates()
    {
        var publish = Wire.Decode<PublishPacket>(
            "30 17 00 01 61 13 26 00 01 6B 00 01 31 26 00 01 6B 00 01 32 26 00 00 00 00",
            MqttProtocolVersion.V500);

        Assert.Equal([new UserProperty("k", "1"), new UserProperty("k", "2"), new UserProperty("", "")], publish.Properties!.UserProperties!);
    }

    [Fact]
    public void Publish_payload_is_its_own_array()
    {
        var publish = Wire.Decode<PublishPacket>("30 0A 00 03 61 2F 62 68 65 6C 6C 6F", MqttProtocolVersion.V311);

        Assert.True(MemoryMarshal.TryGetArray(publish.Payload, out var segment));
        Assert.Equal(0, segment.Offset);
        Assert.Equal(segment.Array!.Length, segment.Count);
    }

    [Fact]
    public void Split_publish_payload_is_its_own_array()
    {
        var buffer = SegmentedSequence.ByteByByte(Hex.Bytes("30 0A 00 03 61 2F 62 68 65 6C 6C 6F"));

        var publish = Assert.IsType<PublishPacket>(Wire.Decode(buffer, MqttProtocolVersion.V311));

        Assert.True(MemoryMarshal.TryGetArray(publish.Payload, out var segment));
        Assert.Equal(0, segment.Offset);
        Assert.Equal("hello"u8.ToArray(), segment.Array);
    }

    [Fact]
    public void Publish_with_an_empty_payload_decodes()
    {
        var publish = Wire.Decode<PublishPacket>("30 03 00 01 61", MqttProtocolVersion.V311);

        Assert.True(publish.Payload.IsEmpty);
    }

    [Fact]
    public void Mqtt3_writer_leaves_out_publish_properties()
    {
        var publish = new PublishPacket { Topic = "a", Properties = new MqttProperties { MessageExpiryInterval = 5 }, Payload = "z"u8.ToArray() };

        Assert.Equal("3004000161" + "7A", Hex.Of(Wire.Encode(publish, MqttProtocolVersion.V311)));
    }

    [Fact]
    public void Mqtt5_puback_with_success_and_no_properties_is_two_bytes()
    {
        Golden.RoundTrip("40 02 00 07", new PubAckPacket { PacketId = 7 }, MqttProtocolVersion.V500);
    }

    [Fact]
    public void Mqtt5_puback_with_a_reason_and_no_properties_is_three_bytes()
    {
        var expected = new PubAckPacket { PacketId = 7, ReasonCode = ReasonCode.NoMatchingSubscribers };

        Golden.RoundTrip("40 03 00 07 10", expected, MqttProtocolVersion.V500);
    }

    [Fact]
    public void Mqtt5_puback_with_a_reason_string()
    {
        var expected = new PubAckPacket
        {
            PacketId = 7,
            ReasonCode = ReasonCode.UnspecifiedError,
            Properties = new MqttProperties { ReasonString = "no" },
        };

        Golden.RoundTrip("40 09 00 07 80 05 1F 00 02 6E 6F", expected, MqttProtocolVersion.V500);
    }

    [Fact]
    public void Mqtt5_puback_with_an_empty_property_list_decodes_as_the_reason_alone()
    {
        var puback = Wire.Decode<PubAckPacket>("40 04 00 07 10 00", MqttProtocolVersion.V500);

        Assert.Equal(ReasonCode.NoMatchingSubscribers, puback.ReasonCode);
        Assert.Null(puback.Properties);
    }

    [Fact]
    public void Mqtt311_puback_drops_the_reason_code()
    {
        var puback = new PubAckPacket { PacketId = 7, ReasonCode = ReasonCode.NoMatchingSubscribers };

        Assert.Equal("40020007", Hex.Of(Wire.Encode(puback, MqttProtocolVersion.V311)));
    }

    [Fact]
    public void Mqtt311_pubrec_pubrel_and_pubcomp()
    {
        Golden.RoundTrip("50 02 00 07", new PubRecPacket { PacketId = 7 }, MqttProtocolVersion.V311);
        Golden.RoundTrip("62 02 00 07", new PubRelPacket { PacketId = 7 }, MqttProtocolVersion.V311);
        Golden.RoundTrip("70 02 00 07", new PubCompPacket { PacketId = 7 }, MqttProtocolVersion.V311);
    }

    [Fact]
    public void Mqtt5_pubrel_with_packet_identifier_not_found()
    {
        var expected = new PubRelPacket { PacketId = 7, ReasonCode = ReasonCode.PacketIdentifierNotFound };

        Golden.RoundTrip("62 03 00 07 92", expected, MqttProtocolVersion.V500);
    }
}
