using FsCheck;
using FsCheck.Fluent;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;
using RobustMq.Protocol.ReasonCodes;
using P = RobustMq.Protocol.Properties.PropertyId;

namespace RobustMq.Protocol.Tests.Codec.Support;

/// <summary>Generators for every packet type, valid for the version they are made for.</summary>
internal static partial class MqttGen
{
    // Which properties each packet may carry, from MQTT 5 section 2.2.2.2 (written out here independently of the codec).
    private static readonly P[] ConnectIds =
        [P.SessionExpiryInterval, P.AuthenticationMethod, P.AuthenticationData, P.RequestProblemInformation,
         P.RequestResponseInformation, P.ReceiveMaximum, P.TopicAliasMaximum, P.UserProperty, P.MaximumPacketSize];

    private static readonly P[] WillIds =
        [P.PayloadFormatIndicator, P.MessageExpiryInterval, P.ContentType, P.ResponseTopic, P.CorrelationData,
         P.WillDelayInterval, P.UserProperty];

    private static readonly P[] ConnAckIds =
        [P.SessionExpiryInterval, P.AssignedClientIdentifier, P.ServerKeepAlive, P.AuthenticationMethod,
         P.AuthenticationData, P.ResponseInformation, P.ServerReference, P.ReasonString, P.ReceiveMaximum,
         P.TopicAliasMaximum, P.MaximumQoS, P.RetainAvailable, P.UserProperty, P.MaximumPacketSize,
         P.WildcardSubscriptionAvailable, P.SubscriptionIdentifierAvailable, P.SharedSubscriptionAvailable];

    private static readonly P[] PublishIds =
        [P.PayloadFormatIndicator, P.MessageExpiryInterval, P.ContentType, P.ResponseTopic, P.CorrelationData,
         P.SubscriptionIdentifier, P.TopicAlias, P.UserProperty];

    private static readonly P[] AckIds = [P.ReasonString, P.UserProperty];
    private static readonly P[] DisconnectIds = [P.SessionExpiryInterval, P.ServerReference, P.ReasonString, P.UserProperty];
    private static readonly P[] AuthIds = [P.AuthenticationMethod, P.AuthenticationData, P.ReasonString, P.UserProperty];

    private static readonly byte[] ConnAckCodesV5 =
        [0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F];

    private static readonly byte[] ConnAckCodesV3 = [0, 1, 2, 3, 4, 5];
    private static readonly byte[] PubAckCodes = [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99];
    private static readonly byte[] PubRelCodes = [0x00, 0x92];
    private static readonly byte[] SubAckCodesV5 = [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2];
    private static readonly byte[] SubAckCodesV3 = [0x00, 0x01, 0x02, 0x80];
    private static readonly byte[] UnsubAckCodes = [0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91];

    private static readonly byte[] DisconnectCodes =
        [0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95,
         0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2];

    private static readonly byte[] AuthCodes = [0x00, 0x18, 0x19];

    public static readonly MqttProtocolVersion[] Versions = [MqttProtocolVersion.V310, MqttProtocolVersion.V311, MqttProtocolVersion.V500];

    /// <summary>Every packet type with every version it exists in (AUTH is MQTT 5 only).</summary>
    public static IEnumerable<(MqttPacketType Type, MqttProtocolVersion Version)> TypesAndVersions =>
        from type in Enum.GetValues<MqttPacketType>()
        from version in Versions
        where type != MqttPacketType.Auth || version == MqttProtocolVersion.V500
        select (type, version);

    public static Gen<PacketCase> AnyPacket =>
        Gen.Elements(TypesAndVersions.ToArray())
            .SelectMany(c => Packet(c.Type, c.Version).Select(packet => new PacketCase(c.Version, packet)));

    public static Gen<MqttPacket> Packet(MqttPacketType type, MqttProtocolVersion version) => type switch
    {
        MqttPacketType.Connect => Connect(version),
        MqttPacketType.ConnAck => ConnAck(version),
        MqttPacketType.Publish => Publish(version),
        MqttPacketType.PubAck => PublishResponse(version, PubAckCodes, () => new PubAckPacket()),
        MqttPacketType.PubRec => PublishResponse(version, PubAckCodes, () => new PubRecPacket()),
        MqttPacketType.PubRel => PublishResponse(version, PubRelCodes, () => new PubRelPacket()),
        MqttPacketType.PubComp => PublishResponse(version, PubRelCodes, () => new PubCompPacket()),
        MqttPacketType.Subscribe => Subscribe(version),
        MqttPacketType.SubAck => SubAck(version),
        MqttPacketType.Unsubscribe => Unsubscribe(version),
        MqttPacketType.UnsubAck => UnsubAck(version),
        MqttPacketType.PingReq => Gen.Constant<MqttPacket>(PingReqPacket.Instance),
        MqttPacketType.PingResp => Gen.Constant<MqttPacket>(PingRespPacket.Instance),
        MqttPacketType.Disconnect => Disconnect(version),
        _ => Auth(),
    };

    private static Gen<MqttPacket> Connect(MqttProtocolVersion version) =>
        from clientId in Text(6)
        from cleanStart in Bool
        from keepAlive in UInt16
        from properties in V5Properties(version, ConnectIds)
        from will in Maybe(Will(version))
        from userName in Maybe(Text(6))
        from password in Maybe(Bytes(8))
        select (MqttPacket)new ConnectPacket
        {
            ProtocolName = version == MqttProtocolVersion.V310 ? "MQIsdp" : "MQTT",
            ProtocolVersion = version,
            CleanStart = cleanStart,
            KeepAlive = keepAlive,
            ClientId = clientId,
            Properties = WithAuthenticationMethod(properties, required: false),
            Will = will,
            // MQTT-3.1.2-22: in 3.1.x a password needs a user name.
            UserName = version != MqttProtocolVersion.V500 && password is not null ? userName ?? "" : userName,
            Password = password,
        };

    private static Gen<WillMessage> Will(MqttProtocolVersion version) =>
        from topic in TopicName
        from qos in QoS
        from retain in Bool
        from properties in V5Properties(version, WillIds)
        from payload in Payload(properties, 32)
        select new WillMessage { Topic = topic, QoS = qos, Retain = retain, Properties = properties, Payload = payload };

    private static Gen<MqttPacket> ConnAck(MqttProtocolVersion version) =>
        from sessionPresent in Bool
        from code in Gen.Elements(version == MqttProtocolVersion.V500 ? ConnAckCodesV5 : ConnAckCodesV3)
        from properties in V5Properties(version, ConnAckIds)
        select (MqttPacket)new ConnAckPacket { SessionPresent = sessionPresent, ReasonCode = code, Properties = properties };

    private static Gen<MqttPacket> Publish(MqttProtocolVersion version) =>
        from qos in QoS
        from dup in qos == Packets.QoS.AtMostOnce ? Gen.Constant(false) : Bool
        from retain in Bool
        from packetId in qos == Packets.QoS.AtMostOnce ? Gen.Constant((ushort)0) : PacketId
        from properties in V5Properties(version, PublishIds)
        from topic in properties?.TopicAlias is null ? TopicName : Gen.OneOf(Gen.Constant(""), TopicName)
        // Mostly small payloads; some large enough to be written in chunks and split across many segments.
        from payload in Gen.Frequency((9, Payload(properties, 64)), (1, Payload(properties, 6000)))
        select (MqttPacket)new PublishPacket
        {
            QoS = qos,
            Dup = dup,
            Retain = retain,
            PacketId = packetId,
            Topic = topic,
            Properties = properties,
            Payload = payload,
        };

    private static Gen<MqttPacket> PublishResponse(MqttProtocolVersion version, byte[] codes, Func<PublishResponsePacket> create) =>
        from packetId in PacketId
        from code in version == MqttProtocolVersion.V500 ? Gen.Elements(codes) : Gen.Constant((byte)0)
        from properties in V5Properties(version, AckIds)
        select (MqttPacket)With(create(), packetId, code, properties);

    private static PublishResponsePacket With(PublishResponsePacket packet, ushort packetId, byte code, MqttProperties? properties)
    {
        packet.PacketId = packetId;
        packet.ReasonCode = (ReasonCode)code;
        packet.Properties = properties;
        return packet;
    }

    private static Gen<MqttPacket> Subscribe(MqttProtocolVersion version) =>
        from packetId in PacketId
        from properties in version == MqttProtocolVersion.V500 ? SubscribeProperties : Gen.Constant<MqttProperties?>(null)
        from subscriptions in ListOf(Subscription(version), 1, 4)
        select (MqttPacket)new SubscribePacket { PacketId = packetId, Properties = properties, Subscriptions = subscriptions };

    private static Gen<TopicSubscription> Subscription(MqttProtocolVersion version) =>
        from filter in TopicFilter
        from qos in QoS
        from noLocal in version == MqttProtocolVersion.V500 ? Bool : Gen.Constant(false)
        from retainAsPublished in version == MqttProtocolVersion.V500 ? Bool : Gen.Constant(false)
        from retainHandling in version == MqttProtocolVersion.V500
            ? Gen.Elements(RetainHandling.SendAtSubscribe, RetainHandling.SendAtSubscribeIfNew, RetainHandling.DoNotSend)
            : Gen.Constant(RetainHandling.SendAtSubscribe)
        select new TopicSubscription(filter, qos, noLocal, retainAsPublished, retainHandling);

    private static Gen<MqttPacket> SubAck(MqttProtocolVersion version) =>
        from packetId in PacketId
        from properties in V5Properties(version, AckIds)
        from codes in ListOf(Gen.Elements(version == MqttProtocolVersion.V500 ? SubAckCodesV5 : SubAckCodesV3), 1, 5)
        select (MqttPacket)new SubAckPacket { PacketId = packetId, Properties = properties, ReasonCodes = codes };

    private static Gen<MqttPacket> Unsubscribe(MqttProtocolVersion version) =>
        from packetId in PacketId
        from properties in V5Properties(version, P.UserProperty)
        from filters in ListOf(TopicFilter, 1, 4)
        select (MqttPacket)new UnsubscribePacket { PacketId = packetId, Properties = properties, Filters = filters };

    private static Gen<MqttPacket> UnsubAck(MqttProtocolVersion version) =>
        from packetId in PacketId
        from properties in V5Properties(version, AckIds)
        from codes in version == MqttProtocolVersion.V500 ? ListOf(Gen.Elements(UnsubAckCodes), 1, 5) : Gen.Constant(new List<byte>())
        select (MqttPacket)new UnsubAckPacket { PacketId = packetId, Properties = properties, ReasonCodes = codes };

    private static Gen<MqttPacket> Disconnect(MqttProtocolVersion version) =>
        from code in version == MqttProtocolVersion.V500 ? Gen.Elements(DisconnectCodes) : Gen.Constant((byte)0)
        from properties in V5Properties(version, DisconnectIds)
        select (MqttPacket)new DisconnectPacket { ReasonCode = (ReasonCode)code, Properties = properties };

    private static Gen<MqttPacket> Auth() =>
        from code in Gen.Elements(AuthCodes)
        from properties in Properties(AuthIds)
        select (MqttPacket)new AuthPacket { ReasonCode = (ReasonCode)code, Properties = WithAuthenticationMethod(properties, required: true) };

    /// <summary>
    /// MQTT 5, 3.1.2.11.10 and 3.15.2.2.2: Authentication Data needs an Authentication Method, and an AUTH with
    /// properties always names its method.
    /// </summary>
    private static MqttProperties? WithAuthenticationMethod(MqttProperties? properties, bool required)
    {
        if (properties is { AuthenticationMethod: null } && (required || properties.AuthenticationData is not null))
        {
            properties.AuthenticationMethod = "m";
        }

        return properties;
    }
}
