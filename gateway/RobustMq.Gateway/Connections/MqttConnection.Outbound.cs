using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;

namespace RobustMq.Gateway.Connections;

/// <summary>Turning a delivery into the PUBLISH this client gets (write loop only: owns the outbound aliases).</summary>
public sealed partial class MqttConnection
{
    // Created when first needed: most connections never use topic aliases (idle connections stay small).
    private Dictionary<string, ushort>? _outboundAliases;
    private ushort _clientTopicAliasMax;

    private PublishPacket? BuildPublish(OutItem item)
    {
        var delivery = item.Delivery!;
        var now = _services.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (item.PacketId == 0 && delivery.Message.IsExpired(now))
        {
            // MQTT-3.3.2-5: an expired message is not delivered.
            _services.Metrics.Dropped("expired");
            return null;
        }

        var publish = MessageMapping.ToPublish(delivery, item.PacketId, item.Dup, _version, now);
        var props = publish.Properties;
        if (_clientTopicAliasMax > 0)
        {
            var aliases = _outboundAliases ??= new Dictionary<string, ushort>(StringComparer.Ordinal);
            if (aliases.TryGetValue(publish.Topic, out var alias))
            {
                props ??= new MqttProperties();
                props.TopicAlias = alias;
                publish.Topic = "";
            }
            else if (aliases.Count < _clientTopicAliasMax)
            {
                alias = (ushort)(aliases.Count + 1);
                aliases[publish.Topic] = alias;
                props ??= new MqttProperties();
                props.TopicAlias = alias;
            }
        }

        publish.Properties = props;
        return publish;
    }
}
