using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RobustMq.Abstractions.Options;
using RobustMq.Gateway.Channel;
using RobustMq.Gateway.Security;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Topics;

namespace RobustMq.Gateway.Tests.Channel;

/// <summary>
/// The SUBACK a SUBSCRIBE gets, over random filter lists (valid, invalid, shared, malformed shared, denied by the ACL),
/// requested QoS, the server's Maximum QoS and the protocol version.
/// </summary>
public sealed class SubscribeDecisionsProperties
{
    private static readonly AclRuleSet Acl = AclRuleSet.Parse("deny subscribe secret/#", "test.acl");

    private static Gen<TopicSubscription> Request =>
        from filter in Gen.Elements("a", "a/+/c", "#", "a/#/b", "a+", "secret/x", "$share/g/a/#", "$share/g/secret/#", "$share//a", "$share/g")
        from qos in Gen.Elements(QoS.AtMostOnce, QoS.AtLeastOnce, QoS.ExactlyOnce)
        from noLocal in Gen.Elements(false, false, false, true)
        select new TopicSubscription(filter, qos, noLocal);

    [Property(MaxTest = 500)]
    public Property Suback_has_a_code_per_filter_and_grants_exactly_the_accepted_ones_at_most_the_maximum_qos() =>
        Prop.ForAll(
            Gen.NonEmptyListOf(Request).Select(l => l.ToArray()).ToArbitrary(),
            Gen.Choose(0, 2).ToArbitrary(),
            Gen.Elements(MqttProtocolVersion.V311, MqttProtocolVersion.V500).ToArbitrary(),
            (requests, maximumQoS, version) =>
            {
                var subscribe = new SubscribePacket { PacketId = 1, Subscriptions = [.. requests] };
                var options = new MqttOptions { MaximumQoS = maximumQoS };
                if (requests.Any(r => r.NoLocal && SharedSubscription.TryParse(r.Filter, out _)))
                {
                    Assert.Throws<MqttProtocolException>(() => SubscribeDecisions.Decide(subscribe, version, options, Acl, "c1", null));
                    return;
                }

                var decision = SubscribeDecisions.Decide(subscribe, version, options, Acl, "c1", null);

                Assert.Equal(requests.Length, decision.ReasonCodes.Length);
                Assert.Equal(decision.Accepted.Length, decision.AcceptedIndexes.Length);
                Assert.Equal(Enumerable.Range(0, requests.Length).Where(i => decision.ReasonCodes[i] <= 2), decision.AcceptedIndexes);
                for (var k = 0; k < decision.Accepted.Length; k++)
                {
                    var index = decision.AcceptedIndexes[k];
                    Assert.Equal(requests[index].Filter, decision.Accepted[k].Filter);
                    Assert.Equal(Math.Min((int)requests[index].QoS, maximumQoS), decision.Accepted[k].QoS);
                    Assert.Equal(decision.ReasonCodes[index], decision.Accepted[k].QoS);
                }

                Assert.All(decision.ReasonCodes, code => Assert.True(code <= 2 || code >= 0x80, $"code 0x{code:x2}"));
                if (version != MqttProtocolVersion.V500)
                {
                    Assert.All(decision.ReasonCodes, code => Assert.True(code <= 2 || code == 0x80, $"3.1.1 code 0x{code:x2}"));
                }

                var failed = decision.SessionFailed();
                Assert.Empty(failed.Accepted);
                Assert.All(failed.ReasonCodes, code => Assert.True(code >= 0x80));
            });
}
