using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;
using RobustMq.Protocol.Tests.Codec.Support;

namespace RobustMq.Protocol.Tests.Codec;

/// <summary>
/// An absent and an empty application message property are different packets: the codec keeps them apart when
/// it reads and when it writes (MQTT 5, 3.3.2.3: Content Type, Correlation Data, User Property). Response Topic is
/// absent or a topic name: an empty one is malformed (MQTT-3.3.2-13, a UTF-8 string that is a topic name, which is at
/// least one character long, MQTT-4.7.3-1).
/// </summary>
public sealed class PropertyPresenceProperties
{
    public enum Presence
    {
        Absent,
        Empty,
        Set,
    }

    [Fact]
    public void A_publish_with_only_a_content_type_has_no_correlation_data() =>
        Golden.RoundTrip(
            "30 0D 00 05 62 68 2F 68 78 04 03 00 01 74 6D",
            new PublishPacket { Topic = "bh/hx", Properties = new MqttProperties { ContentType = "t" }, Payload = "m"u8.ToArray() },
            MqttProtocolVersion.V500);

    [Fact]
    public void Empty_content_type_and_correlation_data_are_present() =>
        Golden.RoundTrip(
            "30 0F 00 05 62 68 2F 65 6D 06 03 00 00 09 00 00 6D",
            new PublishPacket
            {
                Topic = "bh/em",
                Properties = new MqttProperties { ContentType = "", CorrelationData = ReadOnlyMemory<byte>.Empty },
                Payload = "m"u8.ToArray(),
            },
            MqttProtocolVersion.V500);

    [Property(MaxTest = 300)]
    public Property Absent_empty_and_set_properties_read_back_as_written() =>
        Prop.ForAll(Publishes.ToArbitrary(), packet =>
        {
            var bytes = Wire.Encode(packet, MqttProtocolVersion.V500);

            var decoded = Assert.IsType<PublishPacket>(Wire.Decode(bytes, MqttProtocolVersion.V500));

            Assert.Equal(Describe(packet.Properties), Describe(decoded.Properties));
            Assert.Equal(Hex.Of(bytes), Hex.Of(Wire.Encode(decoded, MqttProtocolVersion.V500)));
        });

    private static Gen<Presence> AnyPresence => Gen.Elements(Presence.Absent, Presence.Empty, Presence.Set);

    private static Gen<PublishPacket> Publishes =>
        from contentType in AnyPresence
        from responseTopic in Gen.Elements(Presence.Absent, Presence.Set)
        from correlation in AnyPresence
        from userValue in AnyPresence
        from text in MqttGen.Text(3)
        from data in MqttGen.Bytes(8)
        select new PublishPacket
        {
            Topic = "t",
            Payload = "p"u8.ToArray(),
            Properties = new MqttProperties
            {
                ContentType = Pick(contentType, "", "text/" + text),
                ResponseTopic = Pick(responseTopic, "", "reply/" + text),
                CorrelationData = correlation switch
                {
                    Presence.Absent => null,
                    Presence.Empty => ReadOnlyMemory<byte>.Empty,
                    _ => new ReadOnlyMemory<byte>([0x01, .. data]),
                },
                UserProperties = userValue == Presence.Absent ? null : [new UserProperty("k", Pick(userValue, "", "v" + text)!)],
            },
        };

    private static string? Pick(Presence presence, string empty, string set) => presence switch
    {
        Presence.Absent => null,
        Presence.Empty => empty,
        _ => set,
    };

    /// <summary>Each property as absent, empty or its value.</summary>
    private static string Describe(MqttProperties? p) =>
        $"contentType={Show(p?.ContentType)} responseTopic={Show(p?.ResponseTopic)} "
        + $"correlation={(p?.CorrelationData is { } c ? (c.IsEmpty ? "empty" : Convert.ToHexString(c.Span)) : "absent")} "
        + $"users=[{string.Join(",", (p?.UserProperties ?? []).Select(u => $"{u.Name}={Show(u.Value)}"))}]";

    private static string Show(string? value) => value is null ? "absent" : value.Length == 0 ? "empty" : $"'{value}'";
}
