using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RobustMq.Abstractions.Options;
using RobustMq.Gateway.Channel;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Tests.Channel;

/// <summary>
/// The inbound state against a plain model (a set of ids awaiting PUBREL, a map of aliases) over random sequences of
/// client packets, with small id and alias ranges so that resends, releases and limits collide often.
/// </summary>
public sealed class InboundPublishStateProperties
{
    private const int ReceiveMaximum = 3;
    private const int TopicAliasMaximum = 3;

    /// <summary>A client packet: a QoS 2 PUBLISH (then PUBREC Success if the state accepts it) or a PUBREL.</summary>
    public sealed record Step(bool IsPubRel, ushort PacketId)
    {
        public override string ToString() => IsPubRel ? $"PUBREL {PacketId}" : $"PUBLISH qos2 {PacketId}";
    }

    /// <summary>A PUBLISH with a topic (or "" for none) and an alias (0 for none).</summary>
    public sealed record AliasStep(string Topic, ushort Alias)
    {
        public override string ToString() => $"PUBLISH '{Topic}' alias {Alias}";
    }

    private static Gen<Step[]> Steps =>
        Gen.ArrayOf(
            from isPubRel in Gen.Elements(false, false, true)
            from id in Gen.Choose(1, 6)
            select new Step(isPubRel, (ushort)id));

    private static Gen<AliasStep[]> AliasSteps =>
        Gen.ArrayOf(
            from topic in Gen.Elements("", "a", "b/c")
            from alias in Gen.Choose(0, TopicAliasMaximum + 1)
            select new AliasStep(topic, (ushort)alias));

    [Property(MaxTest = 500)]
    public Property Qos2_exchange_follows_the_model_and_never_holds_more_than_receive_maximum() =>
        Prop.ForAll(Steps.ToArbitrary(), steps =>
        {
            var state = new InboundPublishState(MqttProtocolVersion.V500, new MqttOptions { ReceiveMaximum = ReceiveMaximum });
            var awaiting = new HashSet<ushort>();
            foreach (var step in steps)
            {
                if (step.IsPubRel)
                {
                    var expected = awaiting.Remove(step.PacketId) ? ReasonCode.Success : ReasonCode.PacketIdentifierNotFound;
                    Assert.Equal(expected, state.Release(step.PacketId).ReasonCode);
                    continue;
                }

                var frame = ChannelFrames.Publish("t", QoS.ExactlyOnce, step.PacketId);
                if (!awaiting.Contains(step.PacketId) && awaiting.Count >= ReceiveMaximum)
                {
                    var ex = Assert.Throws<MqttProtocolException>(() => state.Receive(frame, out _));
                    Assert.Equal(ReasonCode.ReceiveMaximumExceeded, ex.ReasonCode);
                    return;
                }

                var verdict = state.Receive(frame, out _);
                Assert.Equal(awaiting.Contains(step.PacketId) ? InboundVerdict.Duplicate : InboundVerdict.New, verdict);
                state.Acknowledge(QoS.ExactlyOnce, step.PacketId, ReasonCode.Success);
                awaiting.Add(step.PacketId);
                Assert.InRange(state.AwaitingRelease.Length, 0, ReceiveMaximum);
            }

            Assert.Equal(awaiting.Order(), state.AwaitingRelease.Order());
        });

    [Property(MaxTest = 500)]
    public Property Alias_resolution_follows_the_model() =>
        Prop.ForAll(AliasSteps.ToArbitrary(), steps =>
        {
            var state = new InboundPublishState(MqttProtocolVersion.V500, new MqttOptions { TopicAliasMaximum = TopicAliasMaximum });
            var aliases = new Dictionary<ushort, string>();
            foreach (var step in steps)
            {
                var frame = step.Alias == 0 ? ChannelFrames.Publish(step.Topic) : ChannelFrames.WithAlias(step.Topic, step.Alias);
                ReasonCode? error = null;
                string? topic = null;
                if (step.Alias == 0)
                {
                    topic = step.Topic.Length > 0 ? step.Topic : null;
                    error = topic is null ? ReasonCode.ProtocolError : null;
                }
                else if (step.Alias > TopicAliasMaximum)
                {
                    error = ReasonCode.TopicAliasInvalid;
                }
                else if (step.Topic.Length > 0)
                {
                    topic = aliases[step.Alias] = step.Topic;
                }
                else if (!aliases.TryGetValue(step.Alias, out topic))
                {
                    error = ReasonCode.ProtocolError;
                }

                if (error is { } expectedError)
                {
                    // A protocol error closes the connection: nothing follows it.
                    Assert.Equal(expectedError, Assert.Throws<MqttProtocolException>(() => state.Receive(frame, out _)).ReasonCode);
                    return;
                }

                state.Receive(frame, out var resolved);
                Assert.Equal(topic, resolved);
            }
        });
}
