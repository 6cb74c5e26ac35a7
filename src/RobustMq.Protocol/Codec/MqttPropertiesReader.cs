using RobustMq.Protocol.Properties;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Protocol.Codec;

/// <summary>Decodes an MQTT 5 property list (2.2.2) and enforces where each property may appear, how often, and its range.</summary>
internal static class MqttPropertiesReader
{
    // MQTT 5, 2.2.2.2: the packets (and will properties) each identifier may appear in. 0 = unknown identifier.
    private static readonly PropertyScope[] AllowedScopes = BuildAllowedScopes();

    /// <summary>Reads Property Length and the properties; null when the length is 0.</summary>
    public static MqttProperties? Read(ref MqttBodyReader body, PropertyScope scope)
    {
        var length = body.ReadVariableByteInteger();
        if (length == 0)
        {
            return null;
        }

        if (length > body.Remaining)
        {
            throw ProtocolErrors.Malformed($"property length {length} runs past the end of the packet");
        }

        var reader = body.ReadNested(length);
        var properties = new MqttProperties();
        ulong seen = 0;
        while (!reader.End)
        {
            var id = reader.ReadVariableByteInteger();
            var allowed = (uint)id < (uint)AllowedScopes.Length ? AllowedScopes[id] : PropertyScope.None;
            if (allowed == PropertyScope.None)
            {
                throw ProtocolErrors.Malformed($"unknown property identifier 0x{id:X2}");
            }

            // MQTT 5, 2.2.2.2: an identifier that is not valid for its packet type is a malformed packet.
            if ((allowed & scope) == 0)
            {
                throw ProtocolErrors.Malformed($"property {(PropertyId)id} is not allowed in {scope}");
            }

            // MQTT 5, 2.2.2.2: the same property more than once is a protocol error, except User Property
            // and Subscription Identifier in PUBLISH.
            var bit = 1UL << id;
            if ((seen & bit) != 0 && !MayRepeat((PropertyId)id, scope))
            {
                throw ProtocolErrors.ProtocolError($"property {(PropertyId)id} appears more than once");
            }

            seen |= bit;
            ReadValue(ref reader, (PropertyId)id, properties);
        }

        return properties;
    }

    private static bool MayRepeat(PropertyId id, PropertyScope scope) =>
        id == PropertyId.UserProperty || (id == PropertyId.SubscriptionIdentifier && scope == PropertyScope.Publish);

    private static void ReadValue(ref MqttBodyReader reader, PropertyId id, MqttProperties properties)
    {
        switch (id)
        {
            case PropertyId.PayloadFormatIndicator:
                properties.PayloadFormatIndicator = ReadFlag(ref reader, id);
                break;
            case PropertyId.MessageExpiryInterval:
                properties.MessageExpiryInterval = reader.ReadUInt32();
                break;
            case PropertyId.ContentType:
                properties.ContentType = reader.ReadString();
                break;
            case PropertyId.ResponseTopic:
                properties.ResponseTopic = ReadResponseTopic(ref reader);
                break;
            case PropertyId.CorrelationData:
                properties.CorrelationData = reader.ReadBinary().ToArray();
                break;
            case PropertyId.SubscriptionIdentifier:
                // MQTT 5, 3.3.2.3.8: 1 to 268,435,455; 0 is a protocol error.
                var subscriptionId = reader.ReadVariableByteInteger();
                if (subscriptionId == 0)
                {
                    throw ProtocolErrors.ProtocolError("Subscription Identifier is 0");
                }

                (properties.SubscriptionIdentifiers ??= []).Add((uint)subscriptionId);
                break;
            case PropertyId.SessionExpiryInterval:
                properties.SessionExpiryInterval = reader.ReadUInt32();
                break;
            case PropertyId.AssignedClientIdentifier:
                properties.AssignedClientIdentifier = reader.ReadString();
                break;
            case PropertyId.ServerKeepAlive:
                properties.ServerKeepAlive = reader.ReadUInt16();
                break;
            case PropertyId.AuthenticationMethod:
                properties.AuthenticationMethod = reader.ReadString();
                break;
            case PropertyId.AuthenticationData:
                properties.AuthenticationData = reader.ReadBinary().ToArray();
                break;
            case PropertyId.RequestProblemInformation:
                properties.RequestProblemInformation = ReadFlag(ref reader, id);
                break;
            case PropertyId.WillDelayInterval:
                properties.WillDelayInterval = reader.ReadUInt32();
                break;
            case PropertyId.RequestResponseInformation:
                properties.RequestResponseInformation = ReadFlag(ref reader, id);
                break;
            case PropertyId.ResponseInformation:
                properties.ResponseInformation = reader.ReadString();
                break;
            case PropertyId.ServerReference:
                properties.ServerReference = reader.ReadString();
                break;
            case PropertyId.ReasonString:
                properties.ReasonString = reader.ReadString();
                break;
            case PropertyId.ReceiveMaximum:
                // MQTT 5, 3.1.2.11.3: a Receive Maximum of 0 is a protocol error.
                properties.ReceiveMaximum = ReadNonZeroUInt16(ref reader, id);
                break;
            case PropertyId.TopicAliasMaximum:
                properties.TopicAliasMaximum = reader.ReadUInt16();
                break;
            case PropertyId.TopicAlias:
                // MQTT-3.3.2-8: a Topic Alias of 0 is not permitted; MQTT 5, 3.3.4: DISCONNECT 0x94 Topic Alias invalid.
                properties.TopicAlias = reader.ReadUInt16();
                if (properties.TopicAlias == 0)
                {
                    throw new MqttProtocolException(ReasonCode.TopicAliasInvalid, "Topic Alias 0");
                }

                break;
            case PropertyId.MaximumQoS:
                properties.MaximumQoS = ReadFlag(ref reader, id);
                break;
            case PropertyId.RetainAvailable:
                properties.RetainAvailable = ReadFlag(ref reader, id);
                break;
            case PropertyId.UserProperty:
                var name = reader.ReadString();
                var value = reader.ReadString();
                (properties.UserProperties ??= []).Add(new UserProperty(name, value));
                break;
            case PropertyId.MaximumPacketSize:
                // MQTT 5, 3.1.2.11.4: a Maximum Packet Size of 0 is a protocol error.
                var maximumPacketSize = reader.ReadUInt32();
                if (maximumPacketSize == 0)
                {
                    throw ProtocolErrors.ProtocolError("Maximum Packet Size is 0");
                }

                properties.MaximumPacketSize = maximumPacketSize;
                break;
            case PropertyId.WildcardSubscriptionAvailable:
                properties.WildcardSubscriptionAvailable = ReadFlag(ref reader, id);
                break;
            case PropertyId.SubscriptionIdentifierAvailable:
                properties.SubscriptionIdentifierAvailable = ReadFlag(ref reader, id);
                break;
            case PropertyId.SharedSubscriptionAvailable:
                properties.SharedSubscriptionAvailable = ReadFlag(ref reader, id);
                break;
            default:
                throw ProtocolErrors.Malformed($"unknown property identifier 0x{(byte)id:X2}");
        }
    }

    /// <summary>A byte property whose only values are 0 and 1 (Maximum QoS is also 0 or 1: QoS 2 is never sent).</summary>
    private static byte ReadFlag(ref MqttBodyReader reader, PropertyId id)
    {
        var value = reader.ReadByte();
        if (value > 1)
        {
            throw ProtocolErrors.ProtocolError($"property {id} has value {value}; only 0 or 1 is allowed");
        }

        return value;
    }

    /// <summary>
    /// MQTT-3.3.2-13, MQTT-3.3.2-14: the Response Topic (of a PUBLISH or a will) is a UTF-8 string without wildcards;
    /// it is used as a Topic Name, so it must not be empty either (MQTT-4.7.3-1).
    /// </summary>
    private static string ReadResponseTopic(ref MqttBodyReader reader)
    {
        var topic = reader.ReadBinary();
        var value = MqttBodyReader.DecodeUtf8(topic);
        if (topic.IsEmpty)
        {
            throw ProtocolErrors.ProtocolError("Response Topic is empty");
        }

        if (topic.IndexOfAny((byte)'+', (byte)'#') >= 0)
        {
            throw ProtocolErrors.ProtocolError("Response Topic contains a wildcard");
        }

        return value;
    }

    private static ushort ReadNonZeroUInt16(ref MqttBodyReader reader, PropertyId id)
    {
        var value = reader.ReadUInt16();
        if (value == 0)
        {
            throw ProtocolErrors.ProtocolError($"property {id} is 0");
        }

        return value;
    }

    private static PropertyScope[] BuildAllowedScopes()
    {
        const PropertyScope message = PropertyScope.Publish | PropertyScope.Will;
        var scopes = new PropertyScope[(int)PropertyId.SharedSubscriptionAvailable + 1];
        scopes[(int)PropertyId.PayloadFormatIndicator] = message;
        scopes[(int)PropertyId.MessageExpiryInterval] = message;
        scopes[(int)PropertyId.ContentType] = message;
        scopes[(int)PropertyId.ResponseTopic] = message;
        scopes[(int)PropertyId.CorrelationData] = message;
        scopes[(int)PropertyId.SubscriptionIdentifier] = PropertyScope.Publish | PropertyScope.Subscribe;
        scopes[(int)PropertyId.SessionExpiryInterval] = PropertyScope.Connect | PropertyScope.ConnAck | PropertyScope.Disconnect;
        scopes[(int)PropertyId.AssignedClientIdentifier] = PropertyScope.ConnAck;
        scopes[(int)PropertyId.ServerKeepAlive] = PropertyScope.ConnAck;
        scopes[(int)PropertyId.AuthenticationMethod] = PropertyScope.Connect | PropertyScope.ConnAck | PropertyScope.Auth;
        scopes[(int)PropertyId.AuthenticationData] = PropertyScope.Connect | PropertyScope.ConnAck | PropertyScope.Auth;
        scopes[(int)PropertyId.RequestProblemInformation] = PropertyScope.Connect;
        scopes[(int)PropertyId.WillDelayInterval] = PropertyScope.Will;
        scopes[(int)PropertyId.RequestResponseInformation] = PropertyScope.Connect;
        scopes[(int)PropertyId.ResponseInformation] = PropertyScope.ConnAck;
        scopes[(int)PropertyId.ServerReference] = PropertyScope.ConnAck | PropertyScope.Disconnect;
        scopes[(int)PropertyId.ReasonString] = PropertyScope.ConnAck | PropertyScope.PublishResponse | PropertyScope.SubAck
            | PropertyScope.UnsubAck | PropertyScope.Disconnect | PropertyScope.Auth;
        scopes[(int)PropertyId.ReceiveMaximum] = PropertyScope.Connect | PropertyScope.ConnAck;
        scopes[(int)PropertyId.TopicAliasMaximum] = PropertyScope.Connect | PropertyScope.ConnAck;
        scopes[(int)PropertyId.TopicAlias] = PropertyScope.Publish;
        scopes[(int)PropertyId.MaximumQoS] = PropertyScope.ConnAck;
        scopes[(int)PropertyId.RetainAvailable] = PropertyScope.ConnAck;
        scopes[(int)PropertyId.UserProperty] = PropertyScope.All;
        scopes[(int)PropertyId.MaximumPacketSize] = PropertyScope.Connect | PropertyScope.ConnAck;
        scopes[(int)PropertyId.WildcardSubscriptionAvailable] = PropertyScope.ConnAck;
        scopes[(int)PropertyId.SubscriptionIdentifierAvailable] = PropertyScope.ConnAck;
        scopes[(int)PropertyId.SharedSubscriptionAvailable] = PropertyScope.ConnAck;
        return scopes;
    }
}
