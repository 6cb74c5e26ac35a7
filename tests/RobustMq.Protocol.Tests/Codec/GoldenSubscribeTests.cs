using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;
using RobustMq.Protocol.Tests.Codec.Support;

namespace RobustMq.Protocol.Tests.Codec;

public sealed class GoldenSubscribeTests
{
    [Fact]
    public void Mqtt311_subscribe_with_two_filters()
    {
        var expected = new SubscribePacket
        {
            PacketId = 1,
            Subscriptions = [new TopicSubscription("a/#", QoS.AtLeastOnce), new TopicSubscription("b", QoS.ExactlyOnce)],
        };

        Golden.RoundTrip("82 0C 00 01 00 03 61 2F 23 01 00 01 62 02", expected, MqttProtocolVersion.V311);
    }

    [Fact]
    public void Mqtt5_subscribe_with_subscription_identifier_and_all_options()
    {
        // Options 0x2D: QoS 1, No Local, Retain As Published, Retain Handling 2.
        var expected = new SubscribePacket
        {
            PacketId = 2,
            Properties = new MqttProperties { SubscriptionIdentifiers = [5] },
            Subscriptions = [new TopicSubscription("a/+", QoS.AtLeastOnce, NoLocal: true, RetainAsPublished: true, RetainHandling.DoNotSend)],
        };

        Golden.RoundTrip("82 0B 00 02 02 0B 05 00 03 61 2F 2B 2D", expected, MqttProtocolVersion.V500);
    }

    [Fact]
    public void Subscribe_filters_are_not_validated_by_the_codec()
    {
        var subscribe = Wire.Decode<SubscribePacket>("82 07 00 01 00 02 23 61 00", MqttProtocolVersion.V311);

        Assert.Equal("#a", Assert.Single(subscribe.Subscriptions).Filter);
    }

    [Fact]
    public void Mqtt311_suback_with_a_failure()
    {
        var expected = new SubAckPacket { PacketId = 1, ReasonCodes = [0x01, 0x80] };

        Golden.RoundTrip("90 04 00 01 01 80", expected, MqttProtocolVersion.V311);
    }

    [Fact]
    public void Mqtt5_suback_with_wildcards_not_supported()
    {
        var expected = new SubAckPacket { PacketId = 2, ReasonCodes = [0x01, 0xA2] };

        Golden.RoundTrip("90 05 00 02 00 01 A2", expected, MqttProtocolVersion.V500);
    }

    [Fact]
    public void Mqtt311_unsubscribe()
    {
        Golden.RoundTrip("A2 05 00 03 00 01 61", new UnsubscribePacket { PacketId = 3, Filters = ["a"] }, MqttProtocolVersion.V311);
    }

    [Fact]
    public void Mqtt5_unsubscribe_with_a_user_property()
    {
        var expected = new UnsubscribePacket
        {
            PacketId = 3,
            Properties = new MqttProperties { UserProperties = [new UserProperty("k", "v")] },
            Filters = ["a"],
        };

        Golden.RoundTrip("A2 0D 00 03 07 26 00 01 6B 00 01 76 00 01 61", expected, MqttProtocolVersion.V500);
    }

    [Fact]
    public void Mqtt311_unsuback_is_only_the_packet_identifier()
    {
        Golden.RoundTrip("B0 02 00 03", new UnsubAckPacket { PacketId = 3 }, MqttProtocolVersion.V311);
    }

    [Fact]
    public void Mqtt5_unsuback_with_reason_codes()
    {
        var expected = new UnsubAckPacket { PacketId = 3, ReasonCodes = [0x00, 0x11] };

        Golden.RoundTrip("B0 05 00 03 00 00 11", expected, MqttProtocolVersion.V500);
    }
}
