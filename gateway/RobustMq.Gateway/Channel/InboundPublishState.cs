using RobustMq.Abstractions.Options;
using RobustMq.Protocol;
using RobustMq.Protocol.Codec;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;
using RobustMq.Protocol.ReasonCodes;
using RobustMq.Protocol.Topics;

namespace RobustMq.Gateway.Channel;

/// <summary>
/// The state of one connection's PUBLISH from client to server, and the rules on it: topic aliases (MQTT 5, 3.3.2.3.4),
/// Maximum QoS and Retain Available, the QoS 2 packet ids received and not yet released (4.3.3), the server's Receive
/// Maximum (MQTT-3.3.4-9), and the acknowledgements (PUBACK, PUBREC, PUBCOMP) those decide. Pure: no grains, no
/// socket, no clock. A broken rule throws <see cref="MqttProtocolException"/> with its reason code; the connection loop
/// turns that into DISCONNECT (MQTT 5) or a close (3.1.x). Read loop only (not thread-safe), except <see cref="AwaitingRelease"/>
/// once the read loop has ended.
/// </summary>
public sealed class InboundPublishState
{
    private readonly MqttProtocolVersion _version;
    private readonly int _maximumQoS;
    private readonly bool _retainAvailable;
    private readonly int _topicAliasMaximum;
    private readonly int _receiveMaximum;

    // Created when first needed: QoS 2 ids awaiting PUBREL, inbound topic aliases, recent topic strings.
    private HashSet<ushort>? _awaitingRelease;
    private Dictionary<ushort, string>? _aliases;
    private TopicNameCache? _topicNames;

    /// <param name="version">The connection's protocol version (decides the PUBCOMP reason code and NoMatchingSubscribers).</param>
    /// <param name="options">The limits announced at CONNACK: Maximum QoS, Retain Available, Topic Alias Maximum, Receive Maximum.</param>
    public InboundPublishState(MqttProtocolVersion version, MqttOptions options)
    {
        _version = version;
        _maximumQoS = options.MaximumQoS;
        _retainAvailable = options.RetainAvailable;
        _topicAliasMaximum = options.TopicAliasMaximum;
        _receiveMaximum = options.ReceiveMaximum;
    }

    /// <summary>The QoS 2 packet ids received (PUBREC sent) whose PUBREL has not come yet, for the session to keep.</summary>
    public ushort[] AwaitingRelease => _awaitingRelease is null ? [] : [.. _awaitingRelease];

    /// <summary>
    /// MQTT-3.3.4-6: a PUBLISH from a client must not carry a Subscription Identifier (only the server adds them).
    /// Checked before the PUBLISH counts as received. Throws <see cref="MqttProtocolException"/> 0x82 Protocol Error.
    /// </summary>
    public static void CheckSentByClient(MqttProperties? properties)
    {
        if (properties?.SubscriptionIdentifiers is not null)
        {
            throw new MqttProtocolException(ReasonCode.ProtocolError, "PUBLISH from a client has a Subscription Identifier");
        }
    }

    /// <summary>
    /// Takes back the QoS 2 packet ids a session kept awaiting PUBREL (handed over at CONNECT), so their resends are
    /// recognised and their PUBREL answered.
    /// </summary>
    public void Resume(ushort[] awaitingRelease) => _awaitingRelease = [.. awaitingRelease];

    /// <summary>
    /// Checks a PUBLISH from the client (after <see cref="CheckSentByClient"/>) and resolves its topic. Throws
    /// <see cref="MqttProtocolException"/>: an empty topic without alias (0x82), an alias of 0 or above
    /// <c>Mqtt:TopicAliasMaximum</c> (0x94, MQTT-3.3.2-9/10), an alias never set (0x82), QoS above
    /// <c>Mqtt:MaximumQoS</c> (0x9B, MQTT-3.2.2-11), retain when it is not available (0x9A), a new QoS 2 message beyond
    /// <c>Mqtt:ReceiveMaximum</c> unreleased ones (0x93, MQTT-3.3.4-9).
    /// </summary>
    /// <param name="frame">The decoded PUBLISH; its topic slice is read here, before the input moves on.</param>
    /// <param name="topic">The topic name, the alias's when the PUBLISH carried only an alias.</param>
    public InboundVerdict Receive(in PublishFrame frame, out string topic)
    {
        topic = ResolveTopic(frame.Topic.IsEmpty ? "" : (_topicNames ??= new TopicNameCache()).Get(frame.Topic), frame.Properties);
        var qos = frame.QoS;
        if ((int)qos > _maximumQoS)
        {
            // MQTT-3.2.2-11: a QoS above Maximum QoS is answered with DISCONNECT 0x9B.
            throw new MqttProtocolException(ReasonCode.QoSNotSupported, $"QoS {(int)qos} above the maximum");
        }

        if (frame.Retain && !_retainAvailable)
        {
            throw new MqttProtocolException(ReasonCode.RetainNotSupported, "retain is not available");
        }

        if (qos == QoS.ExactlyOnce)
        {
            if (_awaitingRelease?.Contains(frame.PacketId) == true)
            {
                // A resend of a QoS 2 message we already have (before PUBREL): acknowledge, do not deliver again.
                return InboundVerdict.Duplicate;
            }

            if (_awaitingRelease?.Count >= _receiveMaximum)
            {
                // MQTT-3.3.4-9: more unacknowledged QoS 2 PUBLISH than our Receive Maximum.
                throw new MqttProtocolException(ReasonCode.ReceiveMaximumExceeded, "receive maximum exceeded");
            }
        }

        return InboundVerdict.New;
    }

    /// <summary>
    /// The reason code that acknowledges a routed message: 0x10 No matching subscribers on MQTT 5 when nobody matched
    /// (<paramref name="matched"/> = 0), else 0x00 Success.
    /// </summary>
    public ReasonCode RoutedReason(int matched) =>
        matched == 0 && _version == MqttProtocolVersion.V500 ? ReasonCode.NoMatchingSubscribers : ReasonCode.Success;

    /// <summary>
    /// The acknowledgement of a PUBLISH: PUBACK for QoS 1, PUBREC for QoS 2 (a success, below 0x80, also records the
    /// packet id as awaiting PUBREL, MQTT 4.3.3), nothing for QoS 0. A <see cref="InboundVerdict.Duplicate"/> is
    /// acknowledged with <see cref="ReasonCode.Success"/>.
    /// </summary>
    public PublishResponsePacket? Acknowledge(QoS qos, ushort packetId, ReasonCode reason)
    {
        switch (qos)
        {
            case QoS.AtLeastOnce:
                return new PubAckPacket { PacketId = packetId, ReasonCode = reason };
            case QoS.ExactlyOnce:
                if ((byte)reason < 0x80)
                {
                    (_awaitingRelease ??= []).Add(packetId);
                }

                return new PubRecPacket { PacketId = packetId, ReasonCode = reason };
            default:
                return null;
        }
    }

    /// <summary>
    /// PUBREL → PUBCOMP: the packet id is released (MQTT 4.3.3). An id not awaiting release is answered 0x92 Packet
    /// Identifier not found on MQTT 5 and with a plain PUBCOMP on 3.1.x, which has no reason codes.
    /// </summary>
    public PubCompPacket Release(ushort packetId)
    {
        var known = _awaitingRelease?.Remove(packetId) == true;
        return new PubCompPacket
        {
            PacketId = packetId,
            ReasonCode = known || _version != MqttProtocolVersion.V500 ? ReasonCode.Success : ReasonCode.PacketIdentifierNotFound,
        };
    }

    private string ResolveTopic(string topicName, MqttProperties? properties)
    {
        if (properties?.TopicAlias is not { } alias)
        {
            if (topicName.Length == 0)
            {
                throw new MqttProtocolException(ReasonCode.ProtocolError, "empty topic without a topic alias");
            }

            return topicName;
        }

        // MQTT-3.3.2-9/10: an alias of 0 or above our Topic Alias Maximum is a protocol error.
        if (alias == 0 || alias > _topicAliasMaximum)
        {
            throw new MqttProtocolException(ReasonCode.TopicAliasInvalid, $"topic alias {alias} out of range");
        }

        if (topicName.Length > 0)
        {
            // A topic with an alias sets (or replaces) the alias for the PUBLISH that follow (MQTT 5, 3.3.2.3.4).
            (_aliases ??= [])[alias] = topicName;
            return topicName;
        }

        if (_aliases is null || !_aliases.TryGetValue(alias, out var topic))
        {
            throw new MqttProtocolException(ReasonCode.ProtocolError, $"topic alias {alias} is not set");
        }

        return topic;
    }
}
