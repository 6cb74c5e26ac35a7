using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RobustMq.Gateway.Channel;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Tests.Channel;

/// <summary>What a protocol error sends, over every error reason code, connection state and version so far.</summary>
public sealed class CloseReplyProperties
{
    private static Gen<ReasonCode> ErrorCode => Gen.Elements(Enum.GetValues<ReasonCode>().Where(c => (byte)c >= 0x80).ToArray());

    private static Gen<MqttProtocolVersion> Version =>
        Gen.Elements(MqttProtocolVersion.Unknown, MqttProtocolVersion.V310, MqttProtocolVersion.V311, MqttProtocolVersion.V500);

    [Property(MaxTest = 500)]
    public Property Disconnect_only_to_connected_v5_clients_connack_only_before_and_the_reason_code_kept() =>
        Prop.ForAll(ErrorCode.ToArbitrary(), Gen.Elements(false, true).ToArbitrary(), Version.ToArbitrary(), (reason, connected, version) =>
        {
            var reply = CloseReply.ForProtocolError(new MqttProtocolException(reason, "test"), connected, version);

            Assert.Equal(connected, reply.Final);
            if (connected)
            {
                Assert.Equal(version, reply.Version);
                Assert.Equal(version == MqttProtocolVersion.V500, reply.Packet is DisconnectPacket { } d && d.ReasonCode == reason);
                Assert.True(reply.Packet is null or DisconnectPacket);
                return;
            }

            Assert.True(reply.Packet is null or ConnAckPacket, $"{reply.Packet?.Type} before CONNACK");
            if (reply.Packet is ConnAckPacket ack)
            {
                // 3.1.1 form only for an unknown version; an MQTT 5 client reads the reason code itself.
                Assert.Equal(reason == ReasonCode.UnsupportedProtocolVersion ? (byte)ConnectReturnCode.UnacceptableProtocolVersion : (byte)reason, ack.ReasonCode);
                Assert.Equal(reason == ReasonCode.UnsupportedProtocolVersion ? MqttProtocolVersion.V311 : MqttProtocolVersion.V500, reply.Version);
            }
            else
            {
                Assert.NotEqual(MqttProtocolVersion.V500, reply.Version);
            }
        });
}
