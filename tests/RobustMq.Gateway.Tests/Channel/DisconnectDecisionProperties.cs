using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RobustMq.Abstractions.Options;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Channel;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Tests.Channel;

/// <summary>A client's DISCONNECT over any session expiry at CONNECT, any requested one, any maximum and reason code.</summary>
public sealed class DisconnectDecisionProperties
{
    private static Gen<uint> Expiry => Gen.OneOf(Gen.Constant(0u), Gen.Choose(1, 10_000).Select(v => (uint)v), Gen.Constant(uint.MaxValue));

    [Property(MaxTest = 500)]
    public Property Session_expiry_is_capped_never_set_from_0_and_only_0x00_discards_the_will() =>
        Prop.ForAll(
            Expiry.ToArbitrary(),
            Gen.OneOf(Gen.Constant<uint?>(null), Expiry.Select(v => (uint?)v)).ToArbitrary(),
            (from maxExpiry in Gen.OneOf(Gen.Choose(0, 10_000).Select(v => (long)v), Gen.Constant((long)uint.MaxValue))
             from reason in Gen.Elements(ReasonCode.NormalDisconnection, ReasonCode.DisconnectWithWillMessage, ReasonCode.UnspecifiedError)
             select (maxExpiry, reason)).ToArbitrary(),
            (atConnect, requested, limits) =>
            {
                var (maxExpiry, reason) = limits;
                var disconnect = new DisconnectPacket
                {
                    ReasonCode = reason,
                    Properties = requested is null ? null : new MqttProperties { SessionExpiryInterval = requested },
                };
                var options = new MqttOptions { MaxSessionExpiry = maxExpiry };
                if (atConnect == 0 && requested is not (null or 0))
                {
                    // MQTT-3.14.2-2.
                    Assert.Throws<MqttProtocolException>(() => DisconnectDecision.FromClient(disconnect, atConnect, options));
                    return;
                }

                var decision = DisconnectDecision.FromClient(disconnect, atConnect, options);

                Assert.Equal(requested is { } r ? Math.Min(r, (uint)maxExpiry) : (uint?)null, decision.SessionExpirySeconds);
                Assert.Equal(reason != ReasonCode.NormalDisconnection, DisconnectDecision.PublishesWill(decision.Kind));
                Assert.NotEqual(DisconnectKind.Abnormal, decision.Kind);
            });
}
