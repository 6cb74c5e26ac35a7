using RobustMq.Gateway.Channel;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;
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

    private const string Scram = "SCRAM-SHA-256";

    private static AuthPacket Auth(ReasonCode reason, string? method = Scram) =>
        new() { ReasonCode = reason, Properties = method is null ? null : new MqttProperties { AuthenticationMethod = method } };

    private static ReasonCode Refused(MqttPacket packet, bool connected, string? method, bool authenticating) =>
        Assert.Throws<MqttProtocolException>(() => PacketOrder.Check(packet, connected, method, authenticating)).ReasonCode;

    [Fact]
    public void During_the_exchange_at_CONNECT_AUTH_continue_and_DISCONNECT_may_come()
    {
        PacketOrder.Check(Auth(ReasonCode.ContinueAuthentication), connected: false, Scram, authenticating: true);
        PacketOrder.Check(new DisconnectPacket(), connected: false, Scram, authenticating: true);
    }

    [Theory]
    [MemberData(nameof(ClientPacketsAfterConnect))]
    public void During_the_exchange_at_CONNECT_any_other_packet_is_a_protocol_error(MqttPacket packet)
    {
        if (packet is DisconnectPacket)
        {
            return;
        }

        Assert.Equal(ReasonCode.ProtocolError, Refused(packet, connected: false, Scram, authenticating: true));
        Assert.Equal(ReasonCode.ProtocolError, Refused(new ConnectPacket(), connected: false, Scram, authenticating: true));
    }

    [Fact]
    public void An_AUTH_with_another_method_or_none_is_a_protocol_error()
    {
        Assert.Equal(ReasonCode.ProtocolError, Refused(Auth(ReasonCode.ContinueAuthentication, "SCRAM-SHA-1"), connected: false, Scram, authenticating: true));
        Assert.Equal(ReasonCode.ProtocolError, Refused(Auth(ReasonCode.ContinueAuthentication, null), connected: false, Scram, authenticating: true));
        Assert.Equal(ReasonCode.ProtocolError, Refused(Auth(ReasonCode.ReAuthenticate, "PLAIN"), connected: true, Scram, authenticating: false));
    }

    [Fact]
    public void Re_authenticate_comes_after_CONNACK_and_continue_only_during_an_exchange()
    {
        PacketOrder.Check(Auth(ReasonCode.ReAuthenticate), connected: true, Scram, authenticating: false);
        PacketOrder.Check(Auth(ReasonCode.ContinueAuthentication), connected: true, Scram, authenticating: true);

        Assert.Equal(ReasonCode.ProtocolError, Refused(Auth(ReasonCode.ReAuthenticate), connected: false, Scram, authenticating: true));
        Assert.Equal(ReasonCode.ProtocolError, Refused(Auth(ReasonCode.ContinueAuthentication), connected: true, Scram, authenticating: false));
        Assert.Equal(ReasonCode.ProtocolError, Refused(Auth(ReasonCode.ReAuthenticate), connected: true, Scram, authenticating: true));
        Assert.Equal(ReasonCode.ProtocolError, Refused(Auth(ReasonCode.Success), connected: true, Scram, authenticating: false));
    }

    [Theory]
    [MemberData(nameof(ClientPacketsAfterConnect))]
    public void Other_packets_go_on_during_a_re_authentication(MqttPacket packet)
    {
        PacketOrder.Check(packet, connected: true, Scram, authenticating: true);
    }

    [Fact]
    public void AUTH_after_a_CONNECT_without_a_method_stays_a_protocol_error()
    {
        Assert.Equal(ReasonCode.ProtocolError, Refused(Auth(ReasonCode.ReAuthenticate), connected: true, method: null, authenticating: false));
    }
}
