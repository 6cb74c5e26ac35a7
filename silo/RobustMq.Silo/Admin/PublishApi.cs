using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Options;
using RobustMq.Abstractions.Routing;
using RobustMq.Protocol.Topics;

namespace RobustMq.Silo.Admin;

/// <summary>
/// <c>POST /api/v1/publish</c> (EMQX's): <c>{"topic", "payload", "payload_encoding": "plain"|"base64", "qos": 0-2,
/// "retain": bool, "properties": {"payload_format_indicator", "message_expiry_interval", "content_type",
/// "response_topic", "correlation_data", "user_properties": {name: value}}}</c> (all but <c>topic</c> optional;
/// <c>correlation_data</c> as the payload is encoded). The message takes the path a client's PUBLISH takes on this
/// node (<see cref="IMessageRouter"/>: retained store, route cache, every node's subscribers), with no publisher
/// client (so No Local does not hold it back) and no ACL check. 200 <c>{"id"}</c> (the message id, 32 hex digits);
/// 400 a topic that is not a topic name or begins with '$', a bad option or encoding, a string property that MQTT cannot
/// carry (over 65,535 UTF-8 bytes, U+0000, an unpaired surrogate: MQTT 5 1.5.4; correlation_data over 65,535 bytes;
/// the message naming the field), or a message whose PUBLISH would be larger than <c>Mqtt:MaxPacketSize</c>; 503 when
/// a retained message could not be stored (nothing was delivered) or the cluster did not answer in time.
/// </summary>
public static class PublishApi
{
    public static void MapRoutes(RouteGroupBuilder v1)
    {
        v1.MapPost("/publish", async (PublishBody? body, IMessageRouter router, IOptions<MqttOptions> mqttOptions, TimeProvider clock, CancellationToken cancellationToken) =>
        {
            if (body?.Topic is not { Length: > 0 } topic || !TopicValidator.IsValidTopicName(topic) || topic.StartsWith('$'))
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "topic must be a topic name (no wildcards) not beginning with '$'");
            }

            if (body.QoS is < 0 or > 2)
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", $"qos must be 0-2 (got {body.QoS})");
            }

            var base64 = body.PayloadEncoding?.ToLowerInvariant() switch
            {
                null or "" or "plain" => false,
                "base64" => true,
                _ => (bool?)null,
            };
            if (base64 is null || Decode(body.Payload, base64.Value) is not { } payload)
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "payload_encoding is plain or base64, and a base64 payload must decode");
            }

            var p = body.Properties;
            byte[]? correlation = null;
            if (p?.CorrelationData is { } data && (correlation = Decode(data, base64.Value)) is null)
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "correlation_data must decode as the payload does");
            }

            if (p is not null && (p.PayloadFormatIndicator is < 0 or > 1 || p.MessageExpiryInterval is < 0 or > uint.MaxValue))
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", "payload_format_indicator is 0 or 1, message_expiry_interval 0-4294967295 s");
            }

            if (PropertyProblem(p, correlation) is { } problem)
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", problem);
            }

            var mqtt = mqttOptions.Value;
            var size = PublishSize(topic, payload.Length, p, correlation);
            if (size > mqtt.MaxPacketSize)
            {
                return ApiV1.Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", $"the PUBLISH would be {size} bytes, over Mqtt:MaxPacketSize ({mqtt.MaxPacketSize})");
            }

            var properties = p is null ? null : new MessageProperties(
                (byte?)p.PayloadFormatIndicator,
                p.ContentType,
                p.ResponseTopic,
                correlation,
                p.UserProperties is { Count: > 0 } user ? [.. user] : null,
                (uint?)p.MessageExpiryInterval);
            var expiresAt = p?.MessageExpiryInterval is { } expiry ? clock.GetUtcNow().ToUnixTimeMilliseconds() + (expiry * 1000) : 0;
            var message = new BrokerMessage(topic, payload, (byte)(body.QoS ?? 0), body.Retain ?? false, properties, null, expiresAt, MessageIds.New());
            return await AdminLists.Guard(async () =>
            {
                try
                {
                    await router.PublishAsync(message, cancellationToken);
                }
                catch (MessageNotStoredException ex)
                {
                    return ApiV1.Error(StatusCodes.Status503ServiceUnavailable, "STORE_UNAVAILABLE", "the retained message could not be stored: " + ex.Message);
                }

                return Results.Ok(new { id = message.MessageId.ToString("N") });
            });
        });
    }

    /// <summary>The first string or binary property MQTT cannot carry (MQTT 5 1.5.4, 1.5.6), naming the field; null when all can.</summary>
    private static string? PropertyProblem(PublishProperties? p, byte[]? correlation)
    {
        if (p is null)
        {
            return null;
        }

        const string Rule = "must be at most 65535 UTF-8 bytes with no U+0000 and no unpaired surrogate (MQTT 5 1.5.4)";
        if (p.ContentType is { } contentType && !TopicValidator.IsWellFormedUtf8String(contentType))
        {
            return "properties.content_type " + Rule;
        }

        if (p.ResponseTopic is { } response && !TopicValidator.IsValidTopicName(response))
        {
            return "properties.response_topic must be a topic name (no wildcards) of at most 65535 UTF-8 bytes with no U+0000";
        }

        if (correlation is { Length: > TopicValidator.MaxUtf8Length })
        {
            return $"properties.correlation_data must be at most 65535 bytes once decoded (got {correlation.Length})";
        }

        foreach (var (name, value) in p.UserProperties ?? Enumerable.Empty<KeyValuePair<string, string>>())
        {
            if (!TopicValidator.IsWellFormedUtf8String(name))
            {
                return "a name in properties.user_properties " + Rule;
            }

            if (value is null || !TopicValidator.IsWellFormedUtf8String(value))
            {
                return $"the value of properties.user_properties[\"{(name.Length > 64 ? name[..64] + "..." : name)}\"] must be a string and " + Rule[5..];
            }
        }

        return null;
    }

    /// <summary>
    /// The size of the PUBLISH that carries the message to an MQTT 5 subscriber (fixed header, topic, packet id,
    /// properties with room for a Subscription Identifier, payload): the largest any subscriber is sent.
    /// </summary>
    private static long PublishSize(string topic, int payload, PublishProperties? p, byte[]? correlation)
    {
        static long Utf8(string? s) => s is null ? 0 : 3 + Encoding.UTF8.GetByteCount(s);
        long properties = 2 + 5 + 5; // payload format indicator, message expiry, subscription identifier (1 + up to 4)
        properties += Utf8(p?.ContentType) + Utf8(p?.ResponseTopic) + (correlation is null ? 0 : 3 + correlation.Length);
        foreach (var (name, value) in p?.UserProperties ?? Enumerable.Empty<KeyValuePair<string, string>>())
        {
            properties += 1 + 2 + Encoding.UTF8.GetByteCount(name) + 2 + Encoding.UTF8.GetByteCount(value ?? "");
        }

        var remaining = 2 + Encoding.UTF8.GetByteCount(topic) + 2 + 4 + properties + payload;
        return 1 + 4 + remaining;
    }

    private static byte[]? Decode(string? text, bool base64)
    {
        if (!base64)
        {
            return Encoding.UTF8.GetBytes(text ?? "");
        }

        try
        {
            return Convert.FromBase64String(text ?? "");
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The body of <c>POST /api/v1/publish</c>.</summary>
    public sealed record PublishBody(
        [property: JsonPropertyName("topic")] string? Topic,
        [property: JsonPropertyName("payload")] string? Payload,
        [property: JsonPropertyName("payload_encoding")] string? PayloadEncoding,
        [property: JsonPropertyName("qos")] int? QoS,
        [property: JsonPropertyName("retain")] bool? Retain,
        [property: JsonPropertyName("properties")] PublishProperties? Properties);

    /// <summary>The MQTT 5 properties of a published message (EMQX's names).</summary>
    public sealed record PublishProperties(
        [property: JsonPropertyName("payload_format_indicator")] int? PayloadFormatIndicator,
        [property: JsonPropertyName("message_expiry_interval")] long? MessageExpiryInterval,
        [property: JsonPropertyName("content_type")] string? ContentType,
        [property: JsonPropertyName("response_topic")] string? ResponseTopic,
        [property: JsonPropertyName("correlation_data")] string? CorrelationData,
        [property: JsonPropertyName("user_properties")] Dictionary<string, string>? UserProperties);
}
