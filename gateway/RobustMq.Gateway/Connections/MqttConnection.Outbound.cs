using System.IO.Pipelines;
using RobustMq.Abstractions.Metrics;
using RobustMq.Protocol;
using RobustMq.Protocol.Codec;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;

namespace RobustMq.Gateway.Connections;

/// <summary>
/// Turning a delivery into the PUBLISH this client gets and writing it (write loop only: owns the outbound aliases).
/// A delivery that is not written (expired, or too large for the client) changes nothing the client could
/// see later: no topic alias is recorded, no packet id is taken and no Receive Maximum slot is held.
/// </summary>
public sealed partial class MqttConnection
{
    // Created when first needed: most connections never use topic aliases (idle connections stay small).
    private Dictionary<string, ushort>? _outboundAliases;
    private ushort _clientTopicAliasMax;

    /// <summary>Writes a delivery, or drops it (expired, too large); returns the bytes written.</summary>
    private long WriteDelivery(PipeWriter output, OutItem item)
    {
        var delivery = item.Delivery!;
        var now = _services.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (!item.Dup && !item.Started && delivery.Message.IsExpired(now))
        {
            // MQTT-3.3.2-5: an expired message is not delivered (a resend is: its delivery had started).
            if (Forgo(item))
            {
                _services.Metrics.Dropped(DropReasons.Expired);
                _services.Metrics.DroppedMessage(delivery.Message.Topic, delivery.Message.QoS, expired: true);
            }

            return 0;
        }

        var publish = MessageMapping.ToPublish(delivery, item.PacketId, item.Dup, _version, now);
        int size;
        ushort newAlias;
        try
        {
            size = ShapeForClient(publish, out newAlias);
        }
        catch (ArgumentException)
        {
            // A field MQTT cannot carry (a string property over 65,535 bytes, from a source that did not check it): it
            // is measured before anything is written, so the message is dropped and counted and the connection goes on.
            size = int.MaxValue;
            newAlias = 0;
        }

        if (size == int.MaxValue || (_clientMaxPacketSize != 0 && size > _clientMaxPacketSize))
        {
            // MQTT-3.1.2-25: a packet larger than the client's Maximum Packet Size is discarded, as if sent (one that
            // cannot be encoded at all too).
            if (Forgo(item))
            {
                _services.Metrics.Dropped(DropReasons.PacketTooLarge);
                _services.Metrics.DroppedMessage(delivery.Message.Topic, delivery.Message.QoS);
            }

            return 0;
        }

        if (item.NeedsPacketId)
        {
            // The id and the Receive Maximum slot are taken now that the packet is certain to be written.
            publish.PacketId = _outbound.Admit();
            if (publish.PacketId == 0)
            {
                // The queue closed meanwhile and handed the delivery back to the session.
                return 0;
            }

            StoreBeforeFlush(delivery, publish.PacketId);
        }

        if (newAlias != 0)
        {
            // The client learns the alias from this PUBLISH (MQTT 5, 3.3.2.3.4): recorded now that it is written.
            _outboundAliases![publish.Topic] = newAlias;
        }

        MqttPacketWriter.Write(output, publish, _version);
        TraceOut(publish, delivery.Message.Topic);
        DeliveredQoS0(delivery);
        _services.Metrics.MessagesSent.Inc();
        _services.Metrics.PublishSent((int)publish.QoS, publish.Retain);
        if (_services.Metrics.Topics.Find(delivery.Message.Topic) is { } topicCounters)
        {
            topicCounters.Out((int)publish.QoS);
        }
        return size;
    }

    /// <summary>
    /// A delivery that will not be written: frees what it held in the queue. True when it is dropped here (to be
    /// counted); false when the queue was closed meanwhile and handed it back to the session, which still owns it.
    /// </summary>
    private bool Forgo(OutItem item)
    {
        if (item.NeedsPacketId)
        {
            var held = _outbound.Forgo(out var forgone);
            if (held)
            {
                Unstore(forgone);
            }

            Ring();
            return held;
        }

        if (item.PacketId != 0)
        {
            // A resend that cannot be written is treated as completed (MQTT-3.1.2-25).
            var held = _outbound.Abandon(item.PacketId, out var abandoned);
            Unstore(abandoned);
            Ring();
            return held;
        }

        return true;
    }

    /// <summary>
    /// Applies a topic alias where the client allows them (MQTT 5, 3.3.2.3.4) and returns the packet size. A known
    /// alias replaces the topic; a new one is proposed in <paramref name="newAlias"/>, to be recorded only once the
    /// packet is written, and only if the packet still fits the client's Maximum Packet Size with it.
    /// </summary>
    private int ShapeForClient(PublishPacket publish, out ushort newAlias)
    {
        newAlias = 0;
        if (_clientTopicAliasMax == 0)
        {
            return MqttPacketWriter.GetPacketSize(publish, _version);
        }

        var aliases = _outboundAliases ??= new Dictionary<string, ushort>(StringComparer.Ordinal);
        if (aliases.TryGetValue(publish.Topic, out var known))
        {
            SetTopicAlias(publish, known);
            publish.Topic = "";
            return MqttPacketWriter.GetPacketSize(publish, _version);
        }

        if (aliases.Count >= _clientTopicAliasMax)
        {
            return MqttPacketWriter.GetPacketSize(publish, _version);
        }

        var candidate = (ushort)(aliases.Count + 1);
        SetTopicAlias(publish, candidate);
        var size = MqttPacketWriter.GetPacketSize(publish, _version);
        if (_clientMaxPacketSize == 0 || size <= _clientMaxPacketSize)
        {
            newAlias = candidate;
            return size;
        }

        // Too large with the alias property: the full topic alone may still fit.
        publish.Properties!.TopicAlias = null;
        return MqttPacketWriter.GetPacketSize(publish, _version);
    }

    private static void SetTopicAlias(PublishPacket publish, ushort alias) =>
        (publish.Properties ??= new MqttProperties()).TopicAlias = alias;
}
