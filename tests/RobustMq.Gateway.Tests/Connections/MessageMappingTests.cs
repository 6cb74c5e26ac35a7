using System.Buffers;
using RobustMq.Abstractions.Messages;
using RobustMq.Abstractions.Sessions;
using RobustMq.Gateway.Connections;
using RobustMq.Protocol;
using RobustMq.Protocol.Codec;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;

namespace RobustMq.Gateway.Tests.Connections;

public sealed class MessageMappingTests
{
    private const long Now = 1_700_000_000_000;

    [Fact]
    public void A_message_with_only_a_content_type_is_forwarded_without_correlation_data()
    {
        var published = Publish("bh/hx", "m", new MqttProperties { ContentType = "t" });

        var forwarded = Forward(published);

        Assert.Equal("300D000562682F687804030001746D", Convert.ToHexString(Encode(forwarded)));
    }

    [Fact]
    public void Empty_content_type_response_topic_and_correlation_data_are_forwarded_present_and_empty()
    {
        var published = Publish("bh/em", "m", new MqttProperties { ContentType = "", ResponseTopic = "", CorrelationData = Array.Empty<byte>() });

        var forwarded = Forward(published);

        // 03 00 00: Content Type ""; 08 00 00: Response Topic ""; 09 00 00: Correlation Data of no bytes.
        Assert.Equal("3012000562682F656D090300000800000900006D", Convert.ToHexString(Encode(forwarded)));
    }

    /// <summary>
    /// Every combination of the application message properties, each absent, present and empty (or zero), and
    /// present with a value: the PUBLISH forwarded has the bytes of the PUBLISH received (MQTT-3.3.2-4, -15 to -18, -20).
    /// </summary>
    [Fact]
    public void Every_combination_of_absent_empty_and_set_properties_is_forwarded_byte_for_byte()
    {
        byte?[] formats = [null, 0, 1];
        uint?[] expiries = [null, 0, 60];
        string?[] contentTypes = [null, "", "text/plain"];
        string?[] responseTopics = [null, "", "reply/to"];
        byte[]?[] correlations = [null, [], [0x00, 0xFF]];
        List<UserProperty>?[] users = [null, [new("k", "")], [new("k", "v1"), new("k", "v2"), new("", "x")]];
        var checkedCount = 0;
        foreach (var format in formats)
        foreach (var expiry in expiries)
        foreach (var contentType in contentTypes)
        foreach (var responseTopic in responseTopics)
        foreach (var correlation in correlations)
        foreach (var user in users)
        {
            var properties = new MqttProperties
            {
                PayloadFormatIndicator = format,
                MessageExpiryInterval = expiry,
                ContentType = contentType,
                ResponseTopic = responseTopic,
                // Not `correlation is null ? null : ...`: that conditional is a ReadOnlyMemory<byte>, and its null an empty one.
                CorrelationData = correlation is null ? (ReadOnlyMemory<byte>?)null : correlation,
                UserProperties = user,
            };
            var published = Publish("t/all", "p", properties);

            var forwarded = Forward(published);

            var expected = Convert.ToHexString(Encode(published));
            var actual = Convert.ToHexString(Encode(forwarded));
            Assert.True(expected == actual, $"{Describe(properties)}: sent {expected}, forwarded {actual}");
            checkedCount++;
        }

        Assert.Equal(729, checkedCount);
    }

    [Fact]
    public void A_message_without_properties_has_no_message_properties()
    {
        var message = MessageMapping.ToMessage("t", new byte[] { 1 }, QoS.AtMostOnce, false, new MqttProperties { TopicAlias = 3 }, "c", Now);

        Assert.Null(message.Properties);
        Assert.Equal(0, message.ExpiresAtUnixMs);
    }

    [Fact]
    public void Absent_and_empty_stay_distinct_in_the_message_model()
    {
        var absent = MessageMapping.ToMessageProperties(new MqttProperties { PayloadFormatIndicator = 0 })!;
        var empty = MessageMapping.ToMessageProperties(
            new MqttProperties { ContentType = "", ResponseTopic = "", CorrelationData = ReadOnlyMemory<byte>.Empty })!;

        Assert.Equal((null, null, null), (absent.ContentType, absent.ResponseTopic, absent.CorrelationData));
        Assert.Equal(("", ""), (empty.ContentType, empty.ResponseTopic));
        Assert.NotNull(empty.CorrelationData);
        Assert.Empty(empty.CorrelationData);
    }

    private static PublishPacket Publish(string topic, string payload, MqttProperties properties) => new()
    {
        Topic = topic,
        QoS = QoS.AtMostOnce,
        Payload = System.Text.Encoding.UTF8.GetBytes(payload),
        Properties = properties,
    };

    /// <summary>What a subscriber gets for <paramref name="published"/>: packet to message, message to packet.</summary>
    private static PublishPacket Forward(PublishPacket published)
    {
        var message = MessageMapping.ToMessage(published.Topic, published.Payload, published.QoS, published.Retain, published.Properties, "pub", Now);
        return MessageMapping.ToPublish(new PendingMessage(message, (byte)published.QoS, false, null), 0, false, MqttProtocolVersion.V500, Now);
    }

    private static byte[] Encode(PublishPacket packet)
    {
        var output = new ArrayBufferWriter<byte>();
        MqttPacketWriter.Write(output, packet, MqttProtocolVersion.V500);
        return output.WrittenSpan.ToArray();
    }

    private static string Describe(MqttProperties p) =>
        $"format={p.PayloadFormatIndicator?.ToString() ?? "absent"} expiry={p.MessageExpiryInterval?.ToString() ?? "absent"} "
        + $"contentType={(p.ContentType is null ? "absent" : $"'{p.ContentType}'")} responseTopic={(p.ResponseTopic is null ? "absent" : $"'{p.ResponseTopic}'")} "
        + $"correlation={(p.CorrelationData is { } c ? Convert.ToHexString(c.Span) : "absent")} users={p.UserProperties?.Count.ToString() ?? "absent"}";
}
