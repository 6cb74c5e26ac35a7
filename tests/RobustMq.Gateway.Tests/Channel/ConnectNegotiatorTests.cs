using System.Buffers;
using RobustMq.Abstractions.Options;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Channel;
using RobustMq.Protocol;
using RobustMq.Protocol.Codec;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Tests.Channel;

public sealed class ConnectNegotiatorTests
{
    private static ConnectPacket V311(string clientId = "c1", bool cleanSession = true, ushort keepAlive = 60) => new()
    {
        ProtocolVersion = MqttProtocolVersion.V311,
        ClientId = clientId,
        CleanStart = cleanSession,
        KeepAlive = keepAlive,
    };

    private static ConnectPacket V5(string clientId = "c1", bool cleanStart = true, ushort keepAlive = 60, MqttProperties? properties = null) => new()
    {
        ProtocolVersion = MqttProtocolVersion.V500,
        ClientId = clientId,
        CleanStart = cleanStart,
        KeepAlive = keepAlive,
        Properties = properties,
    };

    private static ConnectRefusal Refusal(ConnectPacket connect, MqttOptions? options = null)
    {
        var negotiated = ConnectNegotiator.Negotiate(connect, options ?? new MqttOptions());
        Assert.False(negotiated.Accepted);
        Assert.Null(negotiated.ClientId);
        return negotiated.Refusal.Value;
    }

    private static ConnectNegotiation Accepted(ConnectPacket connect, MqttOptions? options = null)
    {
        var negotiated = ConnectNegotiator.Negotiate(connect, options ?? new MqttOptions());
        Assert.True(negotiated.Accepted, $"refused: {negotiated.Refusal}");
        return negotiated;
    }

    [Fact]
    public void A_client_id_too_long_to_key_its_records_gets_a_clean_session_only()
    {
        var longId = new string('x', SessionLimits.MaxStoredClientIdBytes + 1);

        Assert.Equal(ReasonCode.ClientIdentifierNotValid, Refusal(V5(longId, properties: new MqttProperties { SessionExpiryInterval = 60 })).Reason);
        Assert.Equal(ConnectReturnCode.IdentifierRejected, Refusal(V311(longId, cleanSession: false)).ReturnCode);
        Assert.Equal(0u, Accepted(V5(longId)).SessionExpirySeconds);
        Assert.Equal(60u, Accepted(V5(new string('x', SessionLimits.MaxStoredClientIdBytes), properties: new MqttProperties { SessionExpiryInterval = 60 })).SessionExpirySeconds);
    }

    [Fact]
    public void V311_connect_is_accepted_with_its_own_client_id_and_no_connack_properties()
    {
        var negotiated = Accepted(V311("sensor-1"));

        Assert.Equal("sensor-1", negotiated.ClientId);
        Assert.Null(negotiated.AssignedClientId);
        Assert.Null(negotiated.ConnAckProperties);
    }

    [Fact]
    public void V311_keeps_its_keep_alive_even_above_the_maximum()
    {
        var negotiated = Accepted(V311(keepAlive: 600), new MqttOptions { MaxKeepAlive = 300 });

        Assert.Equal(600, negotiated.KeepAliveSeconds);
    }

    [Theory]
    [InlineData(600, 300, 300, 300)] // above the maximum: replaced
    [InlineData(120, 300, 120, null)] // within the maximum: kept, nothing announced
    [InlineData(0, 300, 300, 300)] // off, under an operator maximum: the maximum
    [InlineData(0, 65535, 0, null)] // off, under the default maximum: stays off
    public void V5_keep_alive_is_the_clients_unless_server_keep_alive_replaces_it(int keepAlive, int maxKeepAlive, int expected, int? serverKeepAlive)
    {
        var negotiated = Accepted(V5(keepAlive: (ushort)keepAlive), new MqttOptions { MaxKeepAlive = maxKeepAlive });

        Assert.Equal(expected, negotiated.KeepAliveSeconds);
        Assert.Equal((ushort?)serverKeepAlive, negotiated.ConnAckProperties!.ServerKeepAlive);
    }

    [Fact]
    public void V311_empty_client_id_with_clean_session_is_assigned_one()
    {
        var negotiated = Accepted(V311(clientId: "", cleanSession: true));

        Assert.NotNull(negotiated.ClientId);
        Assert.StartsWith(ConnectNegotiator.AssignedPrefix, negotiated.ClientId, StringComparison.Ordinal);
        Assert.Equal(ConnectNegotiator.AssignedPrefix.Length + 32, negotiated.ClientId.Length);
        Assert.Equal(negotiated.ClientId, negotiated.AssignedClientId);
    }

    [Fact]
    public void V311_empty_client_id_without_clean_session_is_refused_as_identifier_rejected()
    {
        var refusal = Refusal(V311(clientId: "", cleanSession: false));

        Assert.Equal(new ConnectRefusal(ReasonCode.ClientIdentifierNotValid, ConnectReturnCode.IdentifierRejected), refusal);
        Assert.Equal(2, refusal.CodeFor(MqttProtocolVersion.V311));
    }

    [Fact]
    public void V31_empty_client_id_is_refused_even_with_clean_session()
    {
        var connect = V311(clientId: "", cleanSession: true);
        connect.ProtocolVersion = MqttProtocolVersion.V310;
        connect.ProtocolName = "MQIsdp";

        Assert.Equal(ReasonCode.ClientIdentifierNotValid, Refusal(connect).Reason);
    }

    [Fact]
    public void V5_empty_client_id_without_clean_start_is_assigned_and_announced()
    {
        var negotiated = Accepted(V5(clientId: "", cleanStart: false));

        Assert.NotNull(negotiated.AssignedClientId);
        Assert.Equal(negotiated.AssignedClientId, negotiated.ConnAckProperties!.AssignedClientIdentifier);
    }

    [Fact]
    public void Two_assigned_client_ids_differ()
    {
        var first = Accepted(V5(clientId: "")).ClientId;
        var second = Accepted(V5(clientId: "")).ClientId;

        Assert.NotEqual(first, second);
    }

    [Fact]
    public void V5_named_client_gets_no_assigned_client_identifier()
    {
        Assert.Null(Accepted(V5("named")).ConnAckProperties!.AssignedClientIdentifier);
    }

    [Fact]
    public void Authentication_method_is_refused_as_bad_authentication_method()
    {
        var refusal = Refusal(V5(properties: new MqttProperties { AuthenticationMethod = "SCRAM-SHA-1" }));

        Assert.Equal(0x8C, refusal.CodeFor(MqttProtocolVersion.V500));
        Assert.Equal((byte)ConnectReturnCode.NotAuthorized, refusal.CodeFor(MqttProtocolVersion.V311));
    }

    [Fact]
    public void Scram_authentication_method_is_refused_as_bad_authentication_method_when_it_is_not_offered()
    {
        var refusal = Refusal(V5(properties: new MqttProperties { AuthenticationMethod = "SCRAM-SHA-256" }));

        Assert.Equal(0x8C, refusal.CodeFor(MqttProtocolVersion.V500));
    }

    [Fact]
    public void An_offered_authentication_method_is_accepted_and_carried_on()
    {
        var negotiated = ConnectNegotiator.Negotiate(V5(properties: new MqttProperties { AuthenticationMethod = "SCRAM-SHA-256" }), new MqttOptions(), new HashSet<string> { "SCRAM-SHA-256" });

        Assert.True(negotiated.Accepted);
        Assert.Equal("SCRAM-SHA-256", negotiated.AuthenticationMethod);
    }

    [Fact]
    public void A_method_that_is_not_offered_is_refused_while_another_is_offered()
    {
        var negotiated = ConnectNegotiator.Negotiate(V5(properties: new MqttProperties { AuthenticationMethod = "scram-sha-256" }), new MqttOptions(), new HashSet<string> { "SCRAM-SHA-256" });

        Assert.Equal(ReasonCode.BadAuthenticationMethod, negotiated.Refusal!.Value.Reason);
    }

    [Fact]
    public void A_CONNECT_without_a_method_has_none_when_methods_are_offered()
    {
        Assert.Null(ConnectNegotiator.Negotiate(V5(), new MqttOptions(), new HashSet<string> { "SCRAM-SHA-256" }).AuthenticationMethod);
    }

    [Fact]
    public void Will_topic_with_a_wildcard_is_refused_as_topic_name_invalid()
    {
        var connect = V5();
        connect.Will = new WillMessage { Topic = "a/#" };

        Assert.Equal(new ConnectRefusal(ReasonCode.TopicNameInvalid, ConnectReturnCode.NotAuthorized), Refusal(connect));
    }

    [Fact]
    public void Will_qos_above_the_maximum_is_refused_as_qos_not_supported()
    {
        var connect = V5();
        connect.Will = new WillMessage { Topic = "w", QoS = QoS.ExactlyOnce };

        Assert.Equal(ReasonCode.QoSNotSupported, Refusal(connect, new MqttOptions { MaximumQoS = 1 }).Reason);
    }

    [Fact]
    public void Retained_will_without_retain_available_is_refused_as_retain_not_supported()
    {
        var connect = V311();
        connect.Will = new WillMessage { Topic = "w", Retain = true };

        var refusal = Refusal(connect, new MqttOptions { RetainAvailable = false });

        Assert.Equal(ReasonCode.RetainNotSupported, refusal.Reason);
        Assert.Equal((byte)ConnectReturnCode.NotAuthorized, refusal.CodeFor(MqttProtocolVersion.V311));
    }

    [Fact]
    public void Valid_will_is_accepted()
    {
        var connect = V5();
        connect.Will = new WillMessage { Topic = "status/c1", QoS = QoS.AtLeastOnce, Retain = true };

        Assert.True(ConnectNegotiator.Negotiate(connect, new MqttOptions()).Accepted);
    }

    [Fact]
    public void V5_session_expiry_above_the_maximum_is_capped_and_announced()
    {
        var negotiated = Accepted(V5(properties: new MqttProperties { SessionExpiryInterval = 100_000 }), new MqttOptions { MaxSessionExpiry = 3600 });

        Assert.Equal(3600u, negotiated.SessionExpirySeconds);
        Assert.Equal(3600u, negotiated.ConnAckProperties!.SessionExpiryInterval);
    }

    [Fact]
    public void V5_session_expiry_within_the_maximum_is_granted_without_announcing_it()
    {
        var negotiated = Accepted(V5(properties: new MqttProperties { SessionExpiryInterval = 60 }));

        Assert.Equal(60u, negotiated.SessionExpirySeconds);
        Assert.Null(negotiated.ConnAckProperties!.SessionExpiryInterval);
    }

    [Fact]
    public void V5_without_session_expiry_ends_the_session_with_the_connection()
    {
        Assert.Equal(0u, Accepted(V5(cleanStart: false)).SessionExpirySeconds);
    }

    [Fact]
    public void V311_clean_session_expires_at_once_and_a_persistent_one_after_the_maximum()
    {
        var options = new MqttOptions { MaxSessionExpiry = 7200 };

        Assert.Equal(0u, Accepted(V311(cleanSession: true), options).SessionExpirySeconds);
        Assert.Equal(7200u, Accepted(V311(cleanSession: false), options).SessionExpirySeconds);
    }

    [Fact]
    public void Send_window_is_the_clients_receive_maximum_capped_by_max_inflight()
    {
        var options = new MqttOptions { MaxInflight = 32 };

        Assert.Equal(5, Accepted(V5(properties: new MqttProperties { ReceiveMaximum = 5 }), options).SendWindow);
        Assert.Equal(32, Accepted(V5(properties: new MqttProperties { ReceiveMaximum = 100 }), options).SendWindow);
        Assert.Equal(32, Accepted(V5(), options).SendWindow);
        Assert.Equal(32, Accepted(V311(), options).SendWindow);
    }

    [Fact]
    public void Receive_maximum_0_is_a_protocol_error_in_the_decoder_before_negotiation()
    {
        var output = new ArrayBufferWriter<byte>();
        MqttPacketWriter.Write(output, V5(properties: new MqttProperties { ReceiveMaximum = 0 }), MqttProtocolVersion.V500);
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);

        var ex = Assert.Throws<MqttProtocolException>(() => MqttPacketReader.TryRead(ref buffer, new DecoderLimits(MqttProtocolVersion.Unknown, 0), out _));

        Assert.Equal(ReasonCode.ProtocolError, ex.ReasonCode);
        Assert.Equal(MqttProtocolVersion.V500, ex.ConnectVersion);
    }

    [Fact]
    public void Clients_maximum_packet_size_and_topic_alias_maximum_are_kept()
    {
        var negotiated = Accepted(V5(properties: new MqttProperties { MaximumPacketSize = 2048, TopicAliasMaximum = 10 }));

        Assert.Equal(2048u, negotiated.ClientMaximumPacketSize);
        Assert.Equal((ushort)10, negotiated.ClientTopicAliasMaximum);
    }

    [Fact]
    public void Without_client_limits_there_is_no_maximum_packet_size_and_no_outbound_alias()
    {
        var negotiated = Accepted(V311());

        Assert.Equal(0u, negotiated.ClientMaximumPacketSize);
        Assert.Equal((ushort)0, negotiated.ClientTopicAliasMaximum);
    }

    [Fact]
    public void V5_connack_announces_the_servers_limits_and_features()
    {
        var options = new MqttOptions { ReceiveMaximum = 50, MaxPacketSize = 4096, TopicAliasMaximum = 8 };

        var ack = Accepted(V5(), options).ConnAckProperties!;

        Assert.Equal((ushort)50, ack.ReceiveMaximum);
        Assert.Equal(4096u, ack.MaximumPacketSize);
        Assert.Equal((ushort)8, ack.TopicAliasMaximum);
        Assert.Null(ack.MaximumQoS);
        Assert.Null(ack.RetainAvailable);
        Assert.Equal((byte)1, ack.WildcardSubscriptionAvailable);
        Assert.Equal((byte)1, ack.SubscriptionIdentifierAvailable);
        Assert.Equal((byte)1, ack.SharedSubscriptionAvailable);
        Assert.Null(ack.ResponseInformation);
    }

    [Fact]
    public void V5_connack_announces_maximum_qos_and_retain_only_when_limited()
    {
        var ack = Accepted(V5(), new MqttOptions { MaximumQoS = 1, RetainAvailable = false }).ConnAckProperties!;

        Assert.Equal((byte)1, ack.MaximumQoS);
        Assert.Equal((byte)0, ack.RetainAvailable);
    }

    [Fact]
    public void V5_response_information_is_given_when_requested_with_the_client_id_filled_in()
    {
        var negotiated = Accepted(V5("c7", properties: new MqttProperties { RequestResponseInformation = 1 }));

        Assert.Equal("response/c7", negotiated.ConnAckProperties!.ResponseInformation);
    }
}
