using RobustMq.Abstractions.Options;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Channel;
using RobustMq.Gateway.Security;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Tests.Channel;

public sealed class SubscribeDecisionsTests
{
    private static SubscribePacket Subscribe(params TopicSubscription[] subscriptions) => new() { PacketId = 1, Subscriptions = [.. subscriptions] };

    private static SubscribeDecision Decide(
        SubscribePacket subscribe, MqttProtocolVersion version = MqttProtocolVersion.V500, MqttOptions? options = null, string? acl = null, string? userName = null) =>
        SubscribeDecisions.Decide(subscribe, version, options ?? new MqttOptions(), acl is null ? AclRuleSet.AllowAll : AclRuleSet.Parse(acl, "test.acl"), "c1", userName);

    private static byte Code(TopicSubscription request, MqttProtocolVersion version = MqttProtocolVersion.V500, MqttOptions? options = null, string? acl = null) =>
        Assert.Single(Decide(Subscribe(request), version, options, acl).ReasonCodes);

    private static SubscriptionRecord Granted(TopicSubscription request, string? acl = null, string? userName = null, MqttProperties? properties = null)
    {
        var subscribe = Subscribe(request);
        subscribe.Properties = properties;
        return Assert.Single(Decide(subscribe, acl: acl, userName: userName).Accepted);
    }

    [Fact]
    public void Valid_filter_is_granted_the_qos_it_asked_for()
    {
        Assert.Equal(2, Code(new TopicSubscription("a/+/c", QoS.ExactlyOnce)));
    }

    [Fact]
    public void Qos_above_the_maximum_is_granted_at_the_maximum()
    {
        Assert.Equal(1, Code(new TopicSubscription("a", QoS.ExactlyOnce), options: new MqttOptions { MaximumQoS = 1 }));
    }

    [Theory]
    [InlineData("a/#/b")]
    [InlineData("a+")]
    [InlineData("$share/g")]
    [InlineData("$share//a")]
    [InlineData("$share/g+/a")]
    [InlineData("$share/g/a/#/b")]
    public void Invalid_filter_is_topic_filter_invalid_on_v5(string filter)
    {
        Assert.Equal((byte)ReasonCode.TopicFilterInvalid, Code(new TopicSubscription(filter, QoS.AtMostOnce)));
    }

    [Theory]
    [InlineData("a/#/b")]
    [InlineData("$share//a")]
    public void Invalid_filter_is_failure_0x80_on_v311(string filter)
    {
        Assert.Equal(0x80, Code(new TopicSubscription(filter, QoS.AtMostOnce), MqttProtocolVersion.V311));
    }

    [Fact]
    public void Filter_the_acl_denies_gets_the_acl_reason_code_on_v5()
    {
        Assert.Equal(0x87, Code(new TopicSubscription("secret/x", QoS.AtMostOnce), acl: "deny subscribe secret/#"));
        Assert.Equal(0x80, Code(new TopicSubscription("secret/x", QoS.AtMostOnce), acl: "deny subscribe secret/# reason=0x80"));
    }

    [Fact]
    public void Filter_the_acl_denies_is_failure_0x80_on_v311()
    {
        Assert.Equal(0x80, Code(new TopicSubscription("secret/x", QoS.AtMostOnce), MqttProtocolVersion.V311, acl: "deny subscribe secret/#"));
    }

    [Fact]
    public void Shared_subscription_is_checked_by_the_acl_with_its_inner_filter()
    {
        Assert.Equal(0x87, Code(new TopicSubscription("$share/g/secret/x", QoS.AtMostOnce), acl: "deny subscribe secret/#"));
        Assert.Equal(0, Code(new TopicSubscription("$share/secret/x", QoS.AtMostOnce), acl: "deny subscribe secret/#"));
    }

    [Fact]
    public void No_local_on_a_shared_subscription_is_a_protocol_error()
    {
        var subscribe = Subscribe(new TopicSubscription("a", QoS.AtMostOnce), new TopicSubscription("$share/g/a", QoS.AtMostOnce, NoLocal: true));

        var ex = Assert.Throws<MqttProtocolException>(() => Decide(subscribe));

        Assert.Equal(ReasonCode.ProtocolError, ex.ReasonCode);
    }

    [Fact]
    public void No_local_on_a_malformed_shared_filter_is_topic_filter_invalid()
    {
        Assert.Equal((byte)ReasonCode.TopicFilterInvalid, Code(new TopicSubscription("$share//a", QoS.AtMostOnce, NoLocal: true)));
    }

    [Fact]
    public void Granted_subscription_keeps_the_filter_as_sent_and_its_options()
    {
        var record = Granted(new TopicSubscription("$share/g/a/#", QoS.AtLeastOnce, RetainAsPublished: true, RetainHandling: RetainHandling.DoNotSend));

        Assert.Equal(new SubscriptionRecord("$share/g/a/#", 1, false, true, (byte)RetainHandling.DoNotSend), record);
    }

    [Fact]
    public void Granted_subscription_carries_the_subscription_identifier()
    {
        var record = Granted(new TopicSubscription("a", QoS.AtMostOnce), properties: new MqttProperties { SubscriptionIdentifiers = [42] });

        Assert.Equal(42u, record.SubscriptionId);
    }

    [Fact]
    public void Subscribe_without_a_subscription_identifier_has_identifier_0()
    {
        Assert.Equal(0u, SubscribeDecisions.SubscriptionIdentifier(Subscribe(new TopicSubscription("a", QoS.AtMostOnce))));
    }

    [Fact]
    public void Filter_the_acl_may_refuse_some_topics_of_is_read_checked_as_the_subscribing_user()
    {
        var record = Granted(new TopicSubscription("#", QoS.AtMostOnce), acl: "deny subscribe secret/#", userName: "u1");

        Assert.True(record.CheckRead);
        Assert.Equal("u1", record.UserName);
    }

    [Fact]
    public void Shared_filter_is_read_checked_by_its_inner_filter()
    {
        Assert.True(Granted(new TopicSubscription("$share/g/#", QoS.AtMostOnce), acl: "deny subscribe secret/#").CheckRead);
        Assert.False(Granted(new TopicSubscription("$share/g/open/#", QoS.AtMostOnce), acl: "deny subscribe secret/#").CheckRead);
    }

    [Fact]
    public void Filter_without_a_read_check_keeps_no_user_name()
    {
        var record = Granted(new TopicSubscription("open/#", QoS.AtMostOnce), acl: "deny subscribe secret/#", userName: "u1");

        Assert.False(record.CheckRead);
        Assert.Null(record.UserName);
    }

    [Fact]
    public void Reason_codes_follow_the_filters_and_only_granted_ones_are_accepted()
    {
        var decision = Decide(Subscribe(
            new TopicSubscription("a", QoS.AtLeastOnce),
            new TopicSubscription("a/#/b", QoS.AtMostOnce),
            new TopicSubscription("b", QoS.ExactlyOnce)));

        Assert.Equal(new byte[] { 1, (byte)ReasonCode.TopicFilterInvalid, 2 }, decision.ReasonCodes);
        Assert.Equal(new[] { 0, 2 }, decision.AcceptedIndexes);
        Assert.Equal(new[] { "a", "b" }, decision.Accepted.Select(r => r.Filter));
    }

    [Fact]
    public void Session_failure_answers_the_granted_filters_with_0x80_and_keeps_the_refusals()
    {
        var decision = Decide(Subscribe(new TopicSubscription("a", QoS.AtLeastOnce), new TopicSubscription("a/#/b", QoS.AtMostOnce)));

        var failed = decision.SessionFailed();

        Assert.Equal(new byte[] { 0x80, (byte)ReasonCode.TopicFilterInvalid }, failed.ReasonCodes);
        Assert.Empty(failed.Accepted);
        Assert.Empty(failed.AcceptedIndexes);
        Assert.Equal(1, decision.ReasonCodes[0]);
    }

    [Theory]
    [InlineData(RetainHandling.SendAtSubscribe, false, true)]
    [InlineData(RetainHandling.SendAtSubscribe, true, true)]
    [InlineData(RetainHandling.SendAtSubscribeIfNew, false, true)]
    [InlineData(RetainHandling.SendAtSubscribeIfNew, true, false)]
    [InlineData(RetainHandling.DoNotSend, false, false)]
    [InlineData(RetainHandling.DoNotSend, true, false)]
    public void Retained_messages_follow_the_retain_handling(RetainHandling handling, bool existed, bool sends)
    {
        Assert.Equal(sends, SubscribeDecisions.SendsRetained(new SubscriptionRecord("a/#", 1, RetainHandling: (byte)handling), existed));
    }

    [Fact]
    public void Shared_subscription_gets_no_retained_messages()
    {
        Assert.False(SubscribeDecisions.SendsRetained(new SubscriptionRecord("$share/g/a/#", 1), existed: false));
    }

    [Fact]
    public void Unsuback_says_success_for_a_subscription_that_existed_and_0x11_for_one_that_did_not()
    {
        Assert.Equal(new byte[] { 0x00, (byte)ReasonCode.NoSubscriptionExisted }, SubscribeDecisions.UnsubAckCodes([true, false]));
    }

    [Fact]
    public void Unsuback_after_a_session_failure_is_unspecified_error_for_every_filter()
    {
        Assert.Equal(new byte[] { 0x80, 0x80, 0x80 }, SubscribeDecisions.UnsubAckFailed(3));
    }

    [Fact]
    public void Unsubscribing_a_shared_subscription_that_existed_leaves_its_group()
    {
        Assert.True(SubscribeDecisions.LeftSharedSubscription("$share/g/a/#", 0x00, out var left));
        Assert.Equal(("g", "a/#"), (left.Group, left.Filter));
    }

    [Theory]
    [InlineData("$share/g/a", (byte)ReasonCode.NoSubscriptionExisted)]
    [InlineData("$share/g/a", (byte)ReasonCode.UnspecifiedError)]
    [InlineData("a/#", (byte)0x00)]
    [InlineData("$share//a", (byte)0x00)]
    public void Unsubscribing_leaves_no_group_unless_a_shared_subscription_existed(string filter, byte code)
    {
        Assert.False(SubscribeDecisions.LeftSharedSubscription(filter, code, out _));
    }
}
