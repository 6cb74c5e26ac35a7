using RobustMq.Abstractions.Metrics;
using RobustMq.Protocol;
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
        var message = delivery.Message;
        var now = _services.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (item.PacketId == 0 && message.IsExpired(now))
        {
            // MQTT-3.3.2-5: an expired message is not delivered.
            _services.Metrics.Dropped(DropReasons.Expired);
            return null;
        }

        var publish = new PublishPacket
        {
            Topic = message.Topic,
            QoS = (QoS)delivery.QoS,
            Retain = delivery.RetainFlag,
            Dup = item.Dup,
            PacketId = item.PacketId,
            Payload = message.Payload,
        };

        if (_version != MqttProtocolVersion.V500)
        {
            return publish;
        }

        MqttProperties? props = null;
        if (message.Properties is { } mp)
        {
            props = new MqttProperties
            {
                PayloadFormatIndicator = mp.PayloadFormatIndicator,
                ContentType = mp.ContentType,
                ResponseTopic = mp.ResponseTopic,
                CorrelationData = mp.CorrelationData,
            };
            if (mp.UserProperties is { } user)
            {
                props.UserProperties = new List<UserProperty>(user.Length);
                foreach (var (name, value) in user)
                {
                    props.UserProperties.Add(new UserProperty(name, value));
                }
            }
        }

        if (message.RemainingExpirySeconds(now) is { } left)
        {
            props ??= new MqttProperties();
            props.MessageExpiryInterval = left;
        }

        if (delivery.SubscriptionIds is { Length: > 0 } ids)
        {
            props ??= new MqttProperties();
            props.SubscriptionIdentifiers = [.. ids];
        }

        if (_clientTopicAliasMax > 0)
        {
            var aliases = _outboundAliases ??= new Dictionary<string, ushort>(StringComparer.Ordinal);
            if (aliases.TryGetValue(message.Topic, out var alias))
            {
                props ??= new MqttProperties();
                props.TopicAlias = alias;
                publish.Topic = "";
            }
            else if (aliases.Count < _clientTopicAliasMax)
            {
                alias = (ushort)(aliases.Count + 1);
                aliases[message.Topic] = alias;
                props ??= new MqttProperties();
                props.TopicAlias = alias;
            }
        }

        publish.Properties = props;
        return publish;
    }
}
