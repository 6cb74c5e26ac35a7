using System.Buffers;
using RobustMq.Gateway.Channel;
using RobustMq.Protocol;
using RobustMq.Protocol.Codec;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Tests.Channel;

public sealed class CloseReplyTests
{
    private static MqttProtocolException Error(ReasonCode reason) => new(reason, "test");

    /// <summary>The error the decoder throws for a CONNECT whose client id holds U+0000, which names the CONNECT's version.</summary>
    private static MqttProtocolException ConnectBodyError(string hex)
    {
        var buffer = new ReadOnlySequence<byte>(Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal)));
        return Assert.Throws<MqttProtocolException>(() => MqttPacketReader.TryRead(ref buffer, new DecoderLimits(MqttProtocolVersion.Unknown, 0), out _));
    }

    [Fact]
    public void Connected_v5_client_gets_disconnect_with_the_reason_code_as_its_last_packet()
    {
        var reply = CloseReply.ForProtocolError(Error(ReasonCode.TopicAliasInvalid), connected: true, MqttProtocolVersion.V500);

        Assert.True(reply.Final);
        Assert.Equal(MqttProtocolVersion.V500, reply.Version);
        Assert.Equal(ReasonCode.TopicAliasInvalid, Assert.IsType<DisconnectPacket>(reply.Packet).ReasonCode);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V310)]
    public void Connected_v3_client_is_closed_without_a_packet(MqttProtocolVersion version)
    {
        var reply = CloseReply.ForProtocolError(Error(ReasonCode.ProtocolError), connected: true, version);

        Assert.Equal(new CloseReply(version, null, true), reply);
    }

    [Fact]
    public void Unsupported_protocol_version_is_answered_in_the_311_form_with_return_code_1()
    {
        var reply = CloseReply.ForProtocolError(Error(ReasonCode.UnsupportedProtocolVersion), connected: false, MqttProtocolVersion.Unknown);

        Assert.False(reply.Final);
        Assert.Equal(MqttProtocolVersion.V311, reply.Version);
        Assert.Equal((byte)ConnectReturnCode.UnacceptableProtocolVersion, Assert.IsType<ConnAckPacket>(reply.Packet).ReasonCode);
    }

    [Fact]
    public void V5_connect_that_fails_in_its_body_is_answered_with_connack_and_the_reason_code()
    {
        var error = ConnectBodyError("10 10 00 04 4D 51 54 54 05 02 00 3C 00 00 03 61 00 62");

        var reply = CloseReply.ForProtocolError(error, connected: false, MqttProtocolVersion.Unknown);

        Assert.False(reply.Final);
        Assert.Equal(MqttProtocolVersion.V500, reply.Version);
        Assert.Equal((byte)error.ReasonCode, Assert.IsType<ConnAckPacket>(reply.Packet).ReasonCode);
    }

    [Fact]
    public void V311_connect_that_fails_in_its_body_is_closed_without_a_packet()
    {
        var error = ConnectBodyError("10 0F 00 04 4D 51 54 54 04 02 00 3C 00 03 61 00 62");

        Assert.Equal(new CloseReply(MqttProtocolVersion.V311, null, false), CloseReply.ForProtocolError(error, connected: false, MqttProtocolVersion.Unknown));
    }

    [Fact]
    public void Error_before_the_version_is_known_is_closed_without_a_packet()
    {
        var reply = CloseReply.ForProtocolError(Error(ReasonCode.MalformedPacket), connected: false, MqttProtocolVersion.Unknown);

        Assert.Equal(new CloseReply(MqttProtocolVersion.Unknown, null, false), reply);
    }

    [Fact]
    public void V5_error_after_connect_and_before_connack_is_answered_with_connack()
    {
        var reply = CloseReply.ForProtocolError(Error(ReasonCode.ProtocolError), connected: false, MqttProtocolVersion.V500);

        Assert.Equal((byte)ReasonCode.ProtocolError, Assert.IsType<ConnAckPacket>(reply.Packet).ReasonCode);
    }

    [Fact]
    public void Server_close_of_a_connected_v5_client_is_disconnect_with_the_reason()
    {
        var reply = CloseReply.ForServerClose(ReasonCode.SessionTakenOver, connected: true, MqttProtocolVersion.V500);

        Assert.True(reply.Final);
        Assert.Equal(ReasonCode.SessionTakenOver, Assert.IsType<DisconnectPacket>(reply.Packet).ReasonCode);
    }

    [Fact]
    public void Server_close_of_a_v311_client_is_a_plain_close()
    {
        Assert.Equal(
            new CloseReply(MqttProtocolVersion.V311, null, true),
            CloseReply.ForServerClose(ReasonCode.KeepAliveTimeout, connected: true, MqttProtocolVersion.V311));
    }

    [Fact]
    public void Server_close_before_connack_sends_nothing_even_to_a_v5_client()
    {
        Assert.Equal(
            new CloseReply(MqttProtocolVersion.V500, null, true),
            CloseReply.ForServerClose(ReasonCode.ServerShuttingDown, connected: false, MqttProtocolVersion.V500));
    }
}
