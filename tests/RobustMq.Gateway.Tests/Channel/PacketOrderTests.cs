using RobustMq.Gateway.Channel;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Tests.Channel;

public sealed class PacketOrderTests
{
    public static TheoryData<MqttPacket> ClientPacketsAfterConnect => new()
    {
        new PubAckPacket { PacketId = 1 },
        new PubRecPacket { PacketId = 1 },
        new PubRelPacket { PacketId = 1 },
        new PubCompPacket { PacketId = 1 },
        new SubscribePacket { PacketId = 1 },
        new UnsubscribePacket { PacketId = 1 },
        PingReqPacket.Instance,
        new DisconnectPacket(),
    };

    public static TheoryData<MqttPacket> ServerOnlyPackets => new()
    {
        new ConnAckPacket(),
        new SubAckPacket { PacketId = 1 },
        new UnsubAckPacket { PacketId = 1 },
        PingRespPacket.Instance,
    };

    [Fact]
    public void CONNECT_comes_first_and_once()
    {
        PacketOrder.Check(new ConnectPacket(), connected: false);

        Assert.Equal(ReasonCode.ProtocolError, Assert.Throws<MqttProtocolException>(() => PacketOrder.Check(new ConnectPacket(), connected: true)).ReasonCode);
    }

    [Theory]
    [MemberData(nameof(ClientPacketsAfterConnect))]
    public void A_client_packet_before_CONNECT_is_a_protocol_error_and_after_it_is_accepted(MqttPacket packet)
    {
        Assert.Equal(ReasonCode.ProtocolError, Assert.Throws<MqttProtocolException>(() => PacketOrder.Check(packet, connected: false)).ReasonCode);
        PacketOrder.Check(packet, connected: true);
    }

    [Theory]
    [MemberData(nameof(ServerOnlyPackets))]
    public void Packets_only_a_server_sends_are_protocol_errors(MqttPacket packet)
    {
        Assert.Equal(ReasonCode.ProtocolError, Assert.Throws<MqttProtocolException>(() => PacketOrder.Check(packet, connected: true)).ReasonCode);
    }

    [Fact]
    public void AUTH_is_refused_as_no_authentication_method_is_offered()
    {
        Assert.Equal(ReasonCode.ProtocolError, Assert.Throws<MqttProtocolException>(() => PacketOrder.Check(new AuthPacket(), connected: true)).ReasonCode);
    }
}
