using RobustMq.Gateway.Security;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.ReasonCodes;

namespace RobustMq.Gateway.Connections;

/// <summary>Inbound PUBLISH and the acknowledgements of both directions.</summary>
public sealed partial class MqttConnection
{
    private readonly HashSet<ushort> _inboundQoS2 = [];
    private readonly Dictionary<ushort, string> _inboundAliases = [];

    private async ValueTask HandlePublishAsync(PublishPacket publish)
    {
        _services.Metrics.MessagesReceived.Inc();
        var v5 = _version == MqttProtocolVersion.V500;
        var topic = ResolveInboundAlias(publish);
        if ((int)publish.QoS > _services.Options.MaximumQoS)
        {
            // MQTT-3.2.2-11: a QoS above Maximum QoS is answered with DISCONNECT 0x9B.
            throw new MqttProtocolException(ReasonCode.QoSNotSupported, $"QoS {(int)publish.QoS} above the maximum");
        }

        if (publish.Retain && !_services.Options.RetainAvailable)
        {
            throw new MqttProtocolException(ReasonCode.RetainNotSupported, "retain is not available");
        }

        if (publish.QoS == QoS.ExactlyOnce)
        {
            if (_inboundQoS2.Contains(publish.PacketId))
            {
                // A resend of a QoS 2 message we already have (before PUBREL): acknowledge, do not deliver again.
                Send(new PubRecPacket { PacketId = publish.PacketId });
                return;
            }

            if (_inboundQoS2.Count >= _services.Options.ReceiveMaximum)
            {
                // MQTT-3.3.4-9: more unacknowledged QoS 2 PUBLISH than our Receive Maximum.
                throw new MqttProtocolException(ReasonCode.ReceiveMaximumExceeded, "receive maximum exceeded");
            }
        }

        var decision = _services.Acl.Check(AclAction.Publish, topic, ClientId!, _userName);
        var reason = ReasonCode.Success;
        if (!decision.Allowed)
        {
            _services.Metrics.Dropped("not_authorized");
            reason = ReasonCode.NotAuthorized;
        }
        else
        {
            var message = ToBrokerMessage(topic, publish.Payload, (byte)publish.QoS, publish.Retain, publish.Properties, ClientId);
            var matched = await _services.Router.PublishAsync(message, _closed.Token);
            if (matched == 0 && v5)
            {
                reason = ReasonCode.NoMatchingSubscribers;
            }
        }

        switch (publish.QoS)
        {
            case QoS.AtLeastOnce:
                Send(new PubAckPacket { PacketId = publish.PacketId, ReasonCode = reason });
                break;
            case QoS.ExactlyOnce:
                if ((byte)reason < 0x80)
                {
                    _inboundQoS2.Add(publish.PacketId);
                }

                Send(new PubRecPacket { PacketId = publish.PacketId, ReasonCode = reason });
                break;
        }
    }

    private string ResolveInboundAlias(PublishPacket publish)
    {
        if (publish.Properties?.TopicAlias is not { } alias)
        {
            if (publish.Topic.Length == 0)
            {
                throw new MqttProtocolException(ReasonCode.ProtocolError, "empty topic without a topic alias");
            }

            return publish.Topic;
        }

        // MQTT-3.3.2-9/10: an alias of 0 or above our Topic Alias Maximum is a protocol error.
        if (alias == 0 || alias > _services.Options.TopicAliasMaximum)
        {
            throw new MqttProtocolException(ReasonCode.TopicAliasInvalid, $"topic alias {alias} out of range");
        }

        if (publish.Topic.Length > 0)
        {
            _inboundAliases[alias] = publish.Topic;
            return publish.Topic;
        }

        if (!_inboundAliases.TryGetValue(alias, out var topic))
        {
            throw new MqttProtocolException(ReasonCode.ProtocolError, $"topic alias {alias} is not set");
        }

        return topic;
    }

    private void OnPubAck(PubAckPacket ack)
    {
        if (_outbound.Complete(ack.PacketId))
        {
            Ring();
        }
    }

    private void OnPubRec(PubRecPacket rec)
    {
        if ((byte)rec.ReasonCode >= 0x80)
        {
            // A failed PUBREC ends the exchange (MQTT 4.3.3).
            if (_outbound.Complete(rec.PacketId))
            {
                Ring();
            }

            return;
        }

        var known = _outbound.Received(rec.PacketId);
        Send(new PubRelPacket
        {
            PacketId = rec.PacketId,
            ReasonCode = known ? ReasonCode.Success : ReasonCode.PacketIdentifierNotFound,
        });
    }

    private void OnPubComp(PubCompPacket comp)
    {
        if (_outbound.Complete(comp.PacketId))
        {
            Ring();
        }
    }

    private void OnPubRel(PubRelPacket rel)
    {
        var known = _inboundQoS2.Remove(rel.PacketId);
        Send(new PubCompPacket
        {
            PacketId = rel.PacketId,
            ReasonCode = known || _version != MqttProtocolVersion.V500 ? ReasonCode.Success : ReasonCode.PacketIdentifierNotFound,
        });
    }
}
