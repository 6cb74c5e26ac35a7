using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;

namespace RobustMq.Protocol.Tests.Codec.Support;

/// <summary>Field-by-field packet equality. Absent and empty property lists are the same on the wire, so they compare equal.</summary>
internal static class PacketAssert
{
    public static void Equal(MqttPacket expected, MqttPacket actual)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        switch (expected)
        {
            case ConnectPacket e:
                Connect(e, (ConnectPacket)actual);
                break;
            case ConnAckPacket e:
                var connAck = (ConnAckPacket)actual;
                Assert.Equal(e.SessionPresent, connAck.SessionPresent);
                Assert.Equal(e.ReasonCode, connAck.ReasonCode);
                Properties(e.Properties, connAck.Properties);
                break;
            case PublishPacket e:
                Publish(e, (PublishPacket)actual);
                break;
            case PublishResponsePacket e:
                var response = (PublishResponsePacket)actual;
                Assert.Equal(e.PacketId, response.PacketId);
                Assert.Equal(e.ReasonCode, response.ReasonCode);
                Properties(e.Properties, response.Properties);
                break;
            case SubscribePacket e:
                var subscribe = (SubscribePacket)actual;
                Assert.Equal(e.PacketId, subscribe.PacketId);
                Assert.Equal(e.Subscriptions, subscribe.Subscriptions);
                Properties(e.Properties, subscribe.Properties);
                break;
            case SubAckPacket e:
                var subAck = (SubAckPacket)actual;
                Assert.Equal(e.PacketId, subAck.PacketId);
                Assert.Equal(e.ReasonCodes, subAck.ReasonCodes);
                Properties(e.Properties, subAck.Properties);
                break;
            case UnsubscribePacket e:
                var unsubscribe = (UnsubscribePacket)actual;
                Assert.Equal(e.PacketId, unsubscribe.PacketId);
                Assert.Equal(e.Filters, unsubscribe.Filters);
                Properties(e.Properties, unsubscribe.Properties);
                break;
            case UnsubAckPacket e:
                var unsubAck = (UnsubAckPacket)actual;
                Assert.Equal(e.PacketId, unsubAck.PacketId);
                Assert.Equal(e.ReasonCodes, unsubAck.ReasonCodes);
                Properties(e.Properties, unsubAck.Properties);
                break;
            case DisconnectPacket e:
                var disconnect = (DisconnectPacket)actual;
                Assert.Equal(e.ReasonCode, disconnect.ReasonCode);
                Properties(e.Properties, disconnect.Properties);
                break;
            case AuthPacket e:
                var auth = (AuthPacket)actual;
                Assert.Equal(e.ReasonCode, auth.ReasonCode);
                Properties(e.Properties, auth.Properties);
                break;
            default:
                // PINGREQ and PINGRESP carry nothing.
                Assert.Same(expected, actual);
                break;
        }
    }

    public static void Properties(MqttProperties? expected, MqttProperties? actual)
    {
        expected = NullIfEmpty(expected);
        actual = NullIfEmpty(actual);
        if (expected is null || actual is null)
        {
            Assert.Equal(expected is null, actual is null);
            return;
        }

        Assert.Equal(expected.PayloadFormatIndicator, actual.PayloadFormatIndicator);
        Assert.Equal(expected.MessageExpiryInterval, actual.MessageExpiryInterval);
        Assert.Equal(expected.ContentType, actual.ContentType);
        Assert.Equal(expected.ResponseTopic, actual.ResponseTopic);
        Bytes(expected.CorrelationData, actual.CorrelationData);
        Assert.Equal(expected.SubscriptionIdentifiers ?? [], actual.SubscriptionIdentifiers ?? []);
        Assert.Equal(expected.SessionExpiryInterval, actual.SessionExpiryInterval);
        Assert.Equal(expected.AssignedClientIdentifier, actual.AssignedClientIdentifier);
        Assert.Equal(expected.ServerKeepAlive, actual.ServerKeepAlive);
        Assert.Equal(expected.AuthenticationMethod, actual.AuthenticationMethod);
        Bytes(expected.AuthenticationData, actual.AuthenticationData);
        Assert.Equal(expected.RequestProblemInformation, actual.RequestProblemInformation);
        Assert.Equal(expected.WillDelayInterval, actual.WillDelayInterval);
        Assert.Equal(expected.RequestResponseInformation, actual.RequestResponseInformation);
        Assert.Equal(expected.ResponseInformation, actual.ResponseInformation);
        Assert.Equal(expected.ServerReference, actual.ServerReference);
        Assert.Equal(expected.ReasonString, actual.ReasonString);
        Assert.Equal(expected.ReceiveMaximum, actual.ReceiveMaximum);
        Assert.Equal(expected.TopicAliasMaximum, actual.TopicAliasMaximum);
        Assert.Equal(expected.TopicAlias, actual.TopicAlias);
        Assert.Equal(expected.MaximumQoS, actual.MaximumQoS);
        Assert.Equal(expected.RetainAvailable, actual.RetainAvailable);
        Assert.Equal(expected.UserProperties ?? [], actual.UserProperties ?? []);
        Assert.Equal(expected.MaximumPacketSize, actual.MaximumPacketSize);
        Assert.Equal(expected.WildcardSubscriptionAvailable, actual.WildcardSubscriptionAvailable);
        Assert.Equal(expected.SubscriptionIdentifierAvailable, actual.SubscriptionIdentifierAvailable);
        Assert.Equal(expected.SharedSubscriptionAvailable, actual.SharedSubscriptionAvailable);
    }

    private static void Connect(ConnectPacket expected, ConnectPacket actual)
    {
        Assert.Equal(expected.ProtocolName, actual.ProtocolName);
        Assert.Equal(expected.ProtocolVersion, actual.ProtocolVersion);
        Assert.Equal(expected.CleanStart, actual.CleanStart);
        Assert.Equal(expected.KeepAlive, actual.KeepAlive);
        Assert.Equal(expected.ClientId, actual.ClientId);
        Assert.Equal(expected.UserName, actual.UserName);
        Assert.Equal(expected.Password, actual.Password);
        Properties(expected.Properties, actual.Properties);
        if (expected.Will is null || actual.Will is null)
        {
            Assert.Equal(expected.Will is null, actual.Will is null);
            return;
        }

        Assert.Equal(expected.Will.Topic, actual.Will.Topic);
        Assert.Equal(expected.Will.Payload, actual.Will.Payload);
        Assert.Equal(expected.Will.QoS, actual.Will.QoS);
        Assert.Equal(expected.Will.Retain, actual.Will.Retain);
        Properties(expected.Will.Properties, actual.Will.Properties);
    }

    private static void Publish(PublishPacket expected, PublishPacket actual)
    {
        Assert.Equal(expected.Dup, actual.Dup);
        Assert.Equal(expected.QoS, actual.QoS);
        Assert.Equal(expected.Retain, actual.Retain);
        Assert.Equal(expected.Topic, actual.Topic);
        Assert.Equal(expected.PacketId, actual.PacketId);
        Assert.Equal(expected.Payload.ToArray(), actual.Payload.ToArray());
        Properties(expected.Properties, actual.Properties);
    }

    private static void Bytes(ReadOnlyMemory<byte>? expected, ReadOnlyMemory<byte>? actual)
    {
        Assert.Equal(expected.HasValue, actual.HasValue);
        if (expected.HasValue && actual.HasValue)
        {
            Assert.Equal(expected.Value.ToArray(), actual.Value.ToArray());
        }
    }

    private static MqttProperties? NullIfEmpty(MqttProperties? p) =>
        p is null
        || (p.PayloadFormatIndicator is null && p.MessageExpiryInterval is null && p.ContentType is null
            && p.ResponseTopic is null && p.CorrelationData is null && (p.SubscriptionIdentifiers?.Count ?? 0) == 0
            && p.SessionExpiryInterval is null && p.AssignedClientIdentifier is null && p.ServerKeepAlive is null
            && p.AuthenticationMethod is null && p.AuthenticationData is null && p.RequestProblemInformation is null
            && p.WillDelayInterval is null && p.RequestResponseInformation is null && p.ResponseInformation is null
            && p.ServerReference is null && p.ReasonString is null && p.ReceiveMaximum is null
            && p.TopicAliasMaximum is null && p.TopicAlias is null && p.MaximumQoS is null && p.RetainAvailable is null
            && (p.UserProperties?.Count ?? 0) == 0 && p.MaximumPacketSize is null
            && p.WildcardSubscriptionAvailable is null && p.SubscriptionIdentifierAvailable is null
            && p.SharedSubscriptionAvailable is null)
            ? null
            : p;
}
