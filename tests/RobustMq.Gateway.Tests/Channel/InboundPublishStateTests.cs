using RobustMq.Abstractions.Options;
using RobustMq.Gateway.Channel;
using RobustMq.Protocol;
using RobustMq.Protocol.Codec;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Tests.Channel;

public sealed class InboundPublishStateTests
{
    private static InboundPublishState V5State(MqttOptions? options = null) => new(MqttProtocolVersion.V500, options ?? new MqttOptions());

    private static string Topic(InboundPublishState state, PublishFrame frame)
    {
        Assert.Equal(InboundVerdict.New, state.Receive(frame, out var topic));
        return topic;
    }

    private static ReasonCode Refused(InboundPublishState state, PublishFrame frame) =>
        Assert.Throws<MqttProtocolException>(() => state.Receive(frame, out _)).ReasonCode;

    /// <summary>A QoS 2 PUBLISH received and acknowledged with PUBREC Success: its id now awaits PUBREL.</summary>
    private static void ReceiveQoS2(InboundPublishState state, ushort packetId)
    {
        Assert.Equal(InboundVerdict.New, state.Receive(ChannelFrames.Publish("t", QoS.ExactlyOnce, packetId), out _));
        Assert.IsType<PubRecPacket>(state.Acknowledge(QoS.ExactlyOnce, packetId, ReasonCode.Success));
    }

    [Fact]
    public void Publish_with_a_topic_is_received_under_that_topic()
    {
        Assert.Equal("a/b", Topic(V5State(), ChannelFrames.Publish("a/b")));
    }

    [Fact]
    public void Alias_set_with_a_topic_stands_for_it_in_later_publishes()
    {
        var state = V5State();

        Assert.Equal("a/b", Topic(state, ChannelFrames.WithAlias("a/b", 1)));
        Assert.Equal("a/b", Topic(state, ChannelFrames.WithAlias("", 1)));
    }

    [Fact]
    public void Alias_set_again_stands_for_the_new_topic()
    {
        var state = V5State();
        Topic(state, ChannelFrames.WithAlias("first", 3));

        Topic(state, ChannelFrames.WithAlias("second", 3));

        Assert.Equal("second", Topic(state, ChannelFrames.WithAlias("", 3)));
    }

    [Fact]
    public void Alias_0_is_topic_alias_invalid()
    {
        Assert.Equal(ReasonCode.TopicAliasInvalid, Refused(V5State(), ChannelFrames.WithAlias("a", 0)));
    }

    [Fact]
    public void Alias_above_the_topic_alias_maximum_is_topic_alias_invalid()
    {
        var state = V5State(new MqttOptions { TopicAliasMaximum = 4 });

        Assert.Equal("a", Topic(state, ChannelFrames.WithAlias("a", 4)));
        Assert.Equal(ReasonCode.TopicAliasInvalid, Refused(state, ChannelFrames.WithAlias("a", 5)));
    }

    [Fact]
    public void Any_alias_is_topic_alias_invalid_when_aliases_are_off()
    {
        Assert.Equal(ReasonCode.TopicAliasInvalid, Refused(V5State(new MqttOptions { TopicAliasMaximum = 0 }), ChannelFrames.WithAlias("a", 1)));
    }

    [Fact]
    public void Unknown_alias_without_a_topic_is_a_protocol_error()
    {
        var state = V5State();
        Topic(state, ChannelFrames.WithAlias("a", 1));

        Assert.Equal(ReasonCode.ProtocolError, Refused(state, ChannelFrames.WithAlias("", 2)));
    }

    [Fact]
    public void Empty_topic_without_an_alias_is_a_protocol_error()
    {
        Assert.Equal(ReasonCode.ProtocolError, Refused(V5State(), ChannelFrames.Publish("")));
    }

    [Fact]
    public void Qos_above_the_maximum_is_qos_not_supported()
    {
        var state = V5State(new MqttOptions { MaximumQoS = 1 });

        Assert.Equal(ReasonCode.QoSNotSupported, Refused(state, ChannelFrames.Publish("t", QoS.ExactlyOnce, 1)));
    }

    [Fact]
    public void Retain_without_retain_available_is_retain_not_supported()
    {
        var state = V5State(new MqttOptions { RetainAvailable = false });

        Assert.Equal(ReasonCode.RetainNotSupported, Refused(state, ChannelFrames.Publish("t", retain: true)));
    }

    [Fact]
    public void Subscription_identifier_from_a_client_is_a_protocol_error()
    {
        var properties = new MqttProperties { SubscriptionIdentifiers = [7] };

        var ex = Assert.Throws<MqttProtocolException>(() => InboundPublishState.CheckSentByClient(properties));

        Assert.Equal(ReasonCode.ProtocolError, ex.ReasonCode);
    }

    [Fact]
    public void Publish_without_subscription_identifier_passes_the_client_check()
    {
        InboundPublishState.CheckSentByClient(new MqttProperties { TopicAlias = 1 });
        InboundPublishState.CheckSentByClient(null);
    }

    [Fact]
    public void Qos1_is_acknowledged_with_puback_carrying_the_reason()
    {
        var ack = V5State().Acknowledge(QoS.AtLeastOnce, 9, ReasonCode.NoMatchingSubscribers);

        var puback = Assert.IsType<PubAckPacket>(ack);
        Assert.Equal(9, puback.PacketId);
        Assert.Equal(ReasonCode.NoMatchingSubscribers, puback.ReasonCode);
    }

    [Fact]
    public void Qos0_is_not_acknowledged()
    {
        Assert.Null(V5State().Acknowledge(QoS.AtMostOnce, 0, ReasonCode.Success));
    }

    [Fact]
    public void Qos2_resend_before_pubrel_is_a_duplicate_answered_with_pubrec()
    {
        var state = V5State();
        ReceiveQoS2(state, 5);

        Assert.Equal(InboundVerdict.Duplicate, state.Receive(ChannelFrames.Publish("t", QoS.ExactlyOnce, 5), out _));
        var pubrec = Assert.IsType<PubRecPacket>(state.Acknowledge(QoS.ExactlyOnce, 5, ReasonCode.Success));
        Assert.Equal(ReasonCode.Success, pubrec.ReasonCode);
        Assert.Equal([(ushort)5], state.AwaitingRelease);
    }

    [Fact]
    public void Qos2_after_pubrel_is_a_new_message_again()
    {
        var state = V5State();
        ReceiveQoS2(state, 5);

        state.Release(5);

        Assert.Equal(InboundVerdict.New, state.Receive(ChannelFrames.Publish("t", QoS.ExactlyOnce, 5), out _));
        Assert.Empty(state.AwaitingRelease);
    }

    [Fact]
    public void Qos2_refused_with_a_failure_reason_is_not_awaiting_pubrel()
    {
        var state = V5State();
        state.Receive(ChannelFrames.Publish("t", QoS.ExactlyOnce, 5), out _);

        var pubrec = Assert.IsType<PubRecPacket>(state.Acknowledge(QoS.ExactlyOnce, 5, ReasonCode.NotAuthorized));

        Assert.Equal(ReasonCode.NotAuthorized, pubrec.ReasonCode);
        Assert.Equal(InboundVerdict.New, state.Receive(ChannelFrames.Publish("t", QoS.ExactlyOnce, 5), out _));
    }

    [Fact]
    public void Pubrel_of_a_known_id_is_answered_with_pubcomp_success()
    {
        var state = V5State();
        ReceiveQoS2(state, 11);

        var pubcomp = state.Release(11);

        Assert.Equal(11, pubcomp.PacketId);
        Assert.Equal(ReasonCode.Success, pubcomp.ReasonCode);
    }

    [Fact]
    public void Pubrel_of_an_unknown_id_on_v5_is_packet_identifier_not_found()
    {
        Assert.Equal(ReasonCode.PacketIdentifierNotFound, V5State().Release(11).ReasonCode);
    }

    [Fact]
    public void Pubrel_of_an_unknown_id_on_v311_is_a_plain_pubcomp()
    {
        var state = new InboundPublishState(MqttProtocolVersion.V311, new MqttOptions());

        Assert.Equal(ReasonCode.Success, state.Release(11).ReasonCode);
    }

    [Fact]
    public void Second_pubrel_of_the_same_id_on_v5_is_packet_identifier_not_found()
    {
        var state = V5State();
        ReceiveQoS2(state, 11);
        state.Release(11);

        Assert.Equal(ReasonCode.PacketIdentifierNotFound, state.Release(11).ReasonCode);
    }

    [Fact]
    public void New_qos2_beyond_the_receive_maximum_is_receive_maximum_exceeded()
    {
        var state = V5State(new MqttOptions { ReceiveMaximum = 2 });
        ReceiveQoS2(state, 1);
        ReceiveQoS2(state, 2);

        Assert.Equal(ReasonCode.ReceiveMaximumExceeded, Refused(state, ChannelFrames.Publish("t", QoS.ExactlyOnce, 3)));
    }

    [Fact]
    public void Resend_at_the_receive_maximum_is_still_a_duplicate()
    {
        var state = V5State(new MqttOptions { ReceiveMaximum = 2 });
        ReceiveQoS2(state, 1);
        ReceiveQoS2(state, 2);

        Assert.Equal(InboundVerdict.Duplicate, state.Receive(ChannelFrames.Publish("t", QoS.ExactlyOnce, 2), out _));
    }

    [Fact]
    public void Qos1_and_qos0_do_not_count_towards_the_receive_maximum()
    {
        var state = V5State(new MqttOptions { ReceiveMaximum = 1 });
        ReceiveQoS2(state, 1);

        Assert.Equal(InboundVerdict.New, state.Receive(ChannelFrames.Publish("t", QoS.AtLeastOnce, 2), out _));
        Assert.Equal(InboundVerdict.New, state.Receive(ChannelFrames.Publish("t"), out _));
    }

    [Fact]
    public void Ids_resumed_from_the_session_are_duplicates_and_their_pubrel_is_known()
    {
        var state = V5State();

        state.Resume([4, 6]);

        Assert.Equal(InboundVerdict.Duplicate, state.Receive(ChannelFrames.Publish("t", QoS.ExactlyOnce, 4), out _));
        Assert.Equal(ReasonCode.Success, state.Release(6).ReasonCode);
        Assert.Equal([(ushort)4], state.AwaitingRelease);
    }

    [Fact]
    public void Routed_to_nobody_is_no_matching_subscribers_on_v5_only()
    {
        Assert.Equal(ReasonCode.NoMatchingSubscribers, V5State().RoutedReason(0));
        Assert.Equal(ReasonCode.Success, V5State().RoutedReason(3));
        Assert.Equal(ReasonCode.Success, new InboundPublishState(MqttProtocolVersion.V311, new MqttOptions()).RoutedReason(0));
    }
}
