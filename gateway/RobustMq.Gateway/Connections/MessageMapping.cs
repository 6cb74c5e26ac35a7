using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Sessions;
using RobustMq.Protocol;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;

namespace RobustMq.Gateway.Connections;

/// <summary>
/// The one place where packets become messages and messages become packets: a client's PUBLISH and a CONNECT's
/// will become a <see cref="BrokerMessage"/>, and a delivery becomes the PUBLISH its client gets. Each application
/// message property (MQTT 5, 3.3.2.3) stays as it was sent: an absent one stays absent, a present one stays present
/// with its value, even an empty Content Type or Correlation Data (the server forwards them unaltered: MQTT-3.3.2-4,
/// MQTT-3.3.2-15 to MQTT-3.3.2-18, MQTT-3.3.2-20). An empty Response Topic never gets here: it is not a valid topic
/// name, and the codec rejects it (MqttPropertiesReader.ReadResponseTopic, MQTT-3.3.2-13, MQTT-4.7.3-1). The wire
/// shapes that depend on the connection (topic alias, packet id) are not set here.
/// </summary>
internal static class MessageMapping
{
    /// <summary>
    /// The message a PUBLISH or a will carries, with a new <see cref="BrokerMessage.MessageId"/>; the expiry interval
    /// starts at <paramref name="nowUnixMs"/>, which is also its arrival (<see cref="BrokerMessage.ArrivedAtUnixMs"/>)
    /// unless <paramref name="arrived"/> is false (a will, published later).
    /// </summary>
    public static BrokerMessage ToMessage(
        string topic, ReadOnlyMemory<byte> payload, QoS qos, bool retain, MqttProperties? properties, string? publisher, long nowUnixMs, bool arrived = true)
    {
        long expiresAt = 0;
        if (properties?.MessageExpiryInterval is { } expiry)
        {
            expiresAt = nowUnixMs + (expiry * 1000L);
        }

        return new BrokerMessage(topic, payload, (byte)qos, retain, ToMessageProperties(properties), publisher, expiresAt, MessageIds.New(), arrived ? nowUnixMs : 0);
    }

    /// <summary>The application message properties of a PUBLISH or will; null when it has none.</summary>
    public static MessageProperties? ToMessageProperties(MqttProperties? properties)
    {
        if (properties is null)
        {
            return null;
        }

        KeyValuePair<string, string>[]? user = null;
        if (properties.UserProperties is { Count: > 0 } list)
        {
            user = new KeyValuePair<string, string>[list.Count];
            for (var i = 0; i < list.Count; i++)
            {
                user[i] = new KeyValuePair<string, string>(list[i].Name, list[i].Value);
            }
        }

        if (user is null && properties.PayloadFormatIndicator is null && properties.ContentType is null
            && properties.ResponseTopic is null && properties.CorrelationData is null && properties.MessageExpiryInterval is null)
        {
            return null;
        }

        return new MessageProperties(
            properties.PayloadFormatIndicator,
            properties.ContentType,
            properties.ResponseTopic,
            properties.CorrelationData is { } data ? data.ToArray() : null,
            user,
            properties.MessageExpiryInterval);
    }

    /// <summary>
    /// The PUBLISH a client gets for <paramref name="delivery"/>, without topic alias. MQTT 5 only: the properties
    /// as published, the expiry interval left (MQTT-3.3.2-6) and the matching subscriptions' identifiers (MQTT-3.3.4-3).
    /// </summary>
    public static PublishPacket ToPublish(PendingMessage delivery, ushort packetId, bool dup, MqttProtocolVersion version, long nowUnixMs)
    {
        var message = delivery.Message;
        var publish = new PublishPacket
        {
            Topic = message.Topic,
            QoS = (QoS)delivery.QoS,
            Retain = delivery.RetainFlag,
            Dup = dup,
            PacketId = packetId,
            Payload = message.Payload,
        };

        if (version == MqttProtocolVersion.V500)
        {
            publish.Properties = ToPacketProperties(message.Properties, message.RemainingExpirySeconds(nowUnixMs), delivery.SubscriptionIds);
        }

        return publish;
    }

    /// <summary>The properties of an outgoing PUBLISH; null when it has none.</summary>
    public static MqttProperties? ToPacketProperties(MessageProperties? message, uint? remainingExpiry, uint[]? subscriptionIds)
    {
        MqttProperties? properties = null;
        if (message is not null)
        {
            properties = new MqttProperties
            {
                PayloadFormatIndicator = message.PayloadFormatIndicator,
                ContentType = message.ContentType,
                ResponseTopic = message.ResponseTopic,
            };

            // Not `= message.CorrelationData`: the implicit byte[] to ReadOnlyMemory<byte> conversion turns a null
            // array into an empty memory, and an absent Correlation Data into a present, empty one.
            if (message.CorrelationData is { } data)
            {
                properties.CorrelationData = data;
            }

            if (message.UserProperties is { Length: > 0 } user)
            {
                properties.UserProperties = new List<UserProperty>(user.Length);
                foreach (var (name, value) in user)
                {
                    properties.UserProperties.Add(new UserProperty(name, value));
                }
            }
        }

        if (remainingExpiry is { } left)
        {
            properties ??= new MqttProperties();
            properties.MessageExpiryInterval = left;
        }

        if (subscriptionIds is { Length: > 0 } ids)
        {
            properties ??= new MqttProperties();
            properties.SubscriptionIdentifiers = [.. ids];
        }

        return properties;
    }
}
