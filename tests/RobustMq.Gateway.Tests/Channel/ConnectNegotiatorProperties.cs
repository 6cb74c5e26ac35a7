using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RobustMq.Abstractions.Options;
using RobustMq.Gateway.Channel;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;

namespace RobustMq.Gateway.Tests.Channel;

/// <summary>Invariants of the values a CONNECT negotiates, over any client request and any valid operator limits.</summary>
public sealed class ConnectNegotiatorProperties
{
    private static readonly Gen<int> Limit16 = Gen.OneOf(Gen.Choose(1, 100), Gen.Choose(1, 65535), Gen.Constant(65535));

    private static Gen<ushort> AnyUInt16 => Gen.OneOf(Gen.Choose(0, 200), Gen.Choose(0, 65535)).Select(v => (ushort)v);

    [Property(MaxTest = 500)]
    public Property V5_keep_alive_never_exceeds_the_maximum_and_server_keep_alive_says_when_it_changed() =>
        Prop.ForAll(AnyUInt16.ToArbitrary(), Limit16.ToArbitrary(), (keepAlive, maxKeepAlive) =>
        {
            var connect = new ConnectPacket { ProtocolVersion = MqttProtocolVersion.V500, ClientId = "c", KeepAlive = keepAlive };

            var negotiated = ConnectNegotiator.Negotiate(connect, new MqttOptions { MaxKeepAlive = maxKeepAlive });

            Assert.True(negotiated.KeepAliveSeconds <= maxKeepAlive);
            Assert.True(negotiated.KeepAliveSeconds > 0 || maxKeepAlive == 65535, "keep-alive off under a lower maximum");
            Assert.Equal(negotiated.KeepAliveSeconds != keepAlive, negotiated.ConnAckProperties!.ServerKeepAlive is not null);
        });

    [Property(MaxTest = 300)]
    public Property V311_keep_alive_is_always_the_clients() =>
        Prop.ForAll(AnyUInt16.ToArbitrary(), Limit16.ToArbitrary(), (keepAlive, maxKeepAlive) =>
        {
            var connect = new ConnectPacket { ProtocolVersion = MqttProtocolVersion.V311, ClientId = "c", KeepAlive = keepAlive };

            Assert.Equal(keepAlive, ConnectNegotiator.Negotiate(connect, new MqttOptions { MaxKeepAlive = maxKeepAlive }).KeepAliveSeconds);
        });

    [Property(MaxTest = 500)]
    public Property V5_session_expiry_is_the_smaller_of_request_and_maximum_and_announced_only_when_capped() =>
        Prop.ForAll(
            Gen.OneOf(Gen.Constant<uint?>(null), Gen.Choose(0, 10_000).Select(v => (uint?)v), Gen.Constant<uint?>(uint.MaxValue)).ToArbitrary(),
            Gen.OneOf(Gen.Choose(0, 10_000).Select(v => (long)v), Gen.Constant((long)uint.MaxValue)).ToArbitrary(),
            (requested, maxExpiry) =>
            {
                var connect = new ConnectPacket
                {
                    ProtocolVersion = MqttProtocolVersion.V500,
                    ClientId = "c",
                    Properties = new MqttProperties { SessionExpiryInterval = requested },
                };

                var negotiated = ConnectNegotiator.Negotiate(connect, new MqttOptions { MaxSessionExpiry = maxExpiry });

                var expected = Math.Min(requested ?? 0, (uint)maxExpiry);
                Assert.Equal(expected, negotiated.SessionExpirySeconds);
                Assert.Equal(expected != (requested ?? 0) ? expected : null, negotiated.ConnAckProperties!.SessionExpiryInterval);
            });

    [Property(MaxTest = 500)]
    public Property Send_window_is_between_1_and_max_inflight_and_at_most_the_clients_receive_maximum() =>
        Prop.ForAll(
            Gen.OneOf(Gen.Constant<ushort?>(null), Gen.Choose(1, 65535).Select(v => (ushort?)v)).ToArbitrary(),
            Limit16.ToArbitrary(),
            (receiveMaximum, maxInflight) =>
            {
                var connect = new ConnectPacket
                {
                    ProtocolVersion = MqttProtocolVersion.V500,
                    ClientId = "c",
                    Properties = new MqttProperties { ReceiveMaximum = receiveMaximum },
                };

                var window = ConnectNegotiator.Negotiate(connect, new MqttOptions { MaxInflight = maxInflight }).SendWindow;

                Assert.InRange(window, 1, maxInflight);
                Assert.True(window <= (receiveMaximum ?? ushort.MaxValue));
                Assert.True(window == maxInflight || window == receiveMaximum);
            });
}
