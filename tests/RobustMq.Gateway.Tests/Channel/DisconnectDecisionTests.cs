using RobustMq.Abstractions.Options;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Channel;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Tests.Channel;

public sealed class DisconnectDecisionTests
{
    private static DisconnectPacket Disconnect(ReasonCode reason = ReasonCode.NormalDisconnection, uint? sessionExpiry = null) => new()
    {
        ReasonCode = reason,
        Properties = sessionExpiry is null ? null : new MqttProperties { SessionExpiryInterval = sessionExpiry },
    };

    private static DisconnectDecision FromClient(DisconnectPacket disconnect, uint atConnect = 60, MqttOptions? options = null) =>
        DisconnectDecision.FromClient(disconnect, atConnect, options ?? new MqttOptions());

    [Fact]
    public void Normal_disconnect_discards_the_will()
    {
        var decision = FromClient(Disconnect());

        Assert.Equal(DisconnectKind.Normal, decision.Kind);
        Assert.False(DisconnectDecision.PublishesWill(decision.Kind));
    }

    [Fact]
    public void Disconnect_with_will_message_keeps_the_will()
    {
        var decision = FromClient(Disconnect(ReasonCode.DisconnectWithWillMessage));

        Assert.Equal(DisconnectKind.NormalWithWill, decision.Kind);
        Assert.True(DisconnectDecision.PublishesWill(decision.Kind));
    }

    [Fact]
    public void Disconnect_with_an_error_reason_code_keeps_the_will_only_success_discards_it()
    {
        // MQTT 5 section 3.1.2.5: the will is published unless deleted on a DISCONNECT with 0x00 Normal disconnection.
        Assert.True(DisconnectDecision.PublishesWill(FromClient(Disconnect(ReasonCode.UnspecifiedError)).Kind));
        Assert.False(DisconnectDecision.PublishesWill(FromClient(Disconnect(ReasonCode.Success)).Kind));
    }

    [Fact]
    public void Disconnect_without_session_expiry_keeps_the_connects()
    {
        Assert.Null(FromClient(Disconnect()).SessionExpirySeconds);
    }

    [Fact]
    public void Disconnect_session_expiry_replaces_the_connects()
    {
        Assert.Equal(30u, FromClient(Disconnect(sessionExpiry: 30), atConnect: 60).SessionExpirySeconds);
        Assert.Equal(0u, FromClient(Disconnect(sessionExpiry: 0), atConnect: 60).SessionExpirySeconds);
    }

    [Fact]
    public void Disconnect_session_expiry_is_capped_by_the_maximum()
    {
        var decision = FromClient(Disconnect(sessionExpiry: 100_000), options: new MqttOptions { MaxSessionExpiry = 3600 });

        Assert.Equal(3600u, decision.SessionExpirySeconds);
    }

    [Fact]
    public void Session_expiry_set_on_disconnect_after_0_at_connect_is_a_protocol_error()
    {
        var ex = Assert.Throws<MqttProtocolException>(() => FromClient(Disconnect(sessionExpiry: 10), atConnect: 0));

        Assert.Equal(ReasonCode.ProtocolError, ex.ReasonCode);
    }

    [Fact]
    public void Session_expiry_0_on_disconnect_after_0_at_connect_is_allowed()
    {
        Assert.Equal(0u, FromClient(Disconnect(sessionExpiry: 0), atConnect: 0).SessionExpirySeconds);
    }

    [Fact]
    public void Takeover_by_the_server_is_told_apart_and_publishes_the_will()
    {
        var decision = DisconnectDecision.FromServer(ReasonCode.SessionTakenOver);

        Assert.Equal(new DisconnectDecision(DisconnectKind.TakenOver, null), decision);
        Assert.True(DisconnectDecision.PublishesWill(decision.Kind));
    }

    [Theory]
    [InlineData(ReasonCode.KeepAliveTimeout)]
    [InlineData(ReasonCode.ServerShuttingDown)]
    [InlineData(ReasonCode.AdministrativeAction)]
    public void Other_server_closes_are_abnormal_and_publish_the_will(ReasonCode reason)
    {
        var decision = DisconnectDecision.FromServer(reason);

        Assert.Equal(new DisconnectDecision(DisconnectKind.Abnormal, null), decision);
        Assert.True(DisconnectDecision.PublishesWill(decision.Kind));
    }
}
