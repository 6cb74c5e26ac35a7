using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using RobustMq.Protocol.Packets;
using RobustMq.Protocol.Properties;

namespace RobustMq.Gateway.Ops;

/// <summary>
/// One trace line per MQTT packet, in the shape of EMQX's trace log: an ISO 8601 UTC timestamp (ms), the client
/// (<c>clientid@peer</c>), the direction (<c>IN</c> from the client, <c>OUT</c> to it) and the decoded packet:
/// <code>2026-12-02T13:50:01.123Z c1@127.0.0.1:50412 IN PUBLISH(Q1, R0, D0, Topic=t/1, PacketId=7, PayloadSize=5, Payload="hello")</code>
/// Payloads are shown up to a preview size: as text when they are printable UTF-8, else as hex; binary properties
/// (correlation and authentication data) by their size only; passwords never.
/// </summary>
public static class TraceFormat
{
    /// <summary>The line of a packet other than a PUBLISH decoded in place (see <see cref="Publish"/>).</summary>
    public static string Line(DateTimeOffset at, string? clientId, string? peer, bool inbound, MqttPacket packet, int preview)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var text = Start(at, clientId, peer, inbound);
        switch (packet)
        {
            case ConnectPacket c:
                text.Append("CONNECT(Proto=").Escaped(c.ProtocolName).Append(", Ver=").Append((int)c.ProtocolVersion)
                    .Append(", CleanStart=").Append(c.CleanStart).Append(", KeepAlive=").Append(c.KeepAlive)
                    .Append(", ClientId=").Escaped(c.ClientId).Append(", Username=").Escaped(c.UserName ?? "undefined")
                    .Append(", Password=").Append(c.Password is null ? "undefined" : "******");
                if (c.Will is { } will)
                {
                    text.Append(", Will=(Q").Append((int)will.QoS).Append(", R").Append(will.Retain ? 1 : 0).Append(", Topic=").Escaped(will.Topic)
                        .Append(", PayloadSize=").Append(will.Payload.Length).Append(')');
                }

                Properties(text, c.Properties);
                break;
            case ConnAckPacket a:
                text.Append("CONNACK(Ack=").Append(a.SessionPresent ? 1 : 0).Append(", ReasonCode=").Append(Hex(a.ReasonCode));
                Properties(text, a.Properties);
                break;
            case PublishPacket p:
                return Publish(text, p.Topic, p.QoS, p.Retain, p.Dup, p.PacketId, p.Properties, new ReadOnlySequence<byte>(p.Payload), preview);
            case PublishResponsePacket r:
                text.Append(Name(r.Type)).Append("(PacketId=").Append(r.PacketId).Append(", ReasonCode=").Append(Hex((byte)r.ReasonCode));
                Properties(text, r.Properties);
                break;
            case SubscribePacket s:
                text.Append("SUBSCRIBE(PacketId=").Append(s.PacketId).Append(", TopicFilters=[");
                for (var i = 0; i < s.Subscriptions.Count; i++)
                {
                    var f = s.Subscriptions[i];
                    text.Append(i == 0 ? "" : ", ").Escaped(f.Filter).Append("(Q").Append((int)f.QoS).Append(", NL").Append(f.NoLocal ? 1 : 0)
                        .Append(", RAP").Append(f.RetainAsPublished ? 1 : 0).Append(", RH").Append((int)f.RetainHandling).Append(')');
                }

                text.Append(']');
                Properties(text, s.Properties);
                break;
            case SubAckPacket sa:
                text.Append("SUBACK(PacketId=").Append(sa.PacketId).Append(", ReasonCodes=[").AppendJoin(", ", sa.ReasonCodes.Select(Hex)).Append(']');
                Properties(text, sa.Properties);
                break;
            case UnsubscribePacket u:
                text.Append("UNSUBSCRIBE(PacketId=").Append(u.PacketId).Append(", TopicFilters=[");
                for (var i = 0; i < u.Filters.Count; i++)
                {
                    text.Append(i == 0 ? "" : ", ").Escaped(u.Filters[i]);
                }

                text.Append(']');
                Properties(text, u.Properties);
                break;
            case UnsubAckPacket ua:
                text.Append("UNSUBACK(PacketId=").Append(ua.PacketId).Append(", ReasonCodes=[").AppendJoin(", ", ua.ReasonCodes.Select(Hex)).Append(']');
                Properties(text, ua.Properties);
                break;
            case DisconnectPacket d:
                text.Append("DISCONNECT(ReasonCode=").Append(Hex((byte)d.ReasonCode));
                Properties(text, d.Properties);
                break;
            case AuthPacket au:
                text.Append("AUTH(ReasonCode=").Append(Hex((byte)au.ReasonCode));
                Properties(text, au.Properties);
                break;
            default:
                // PINGREQ, PINGRESP: no fields.
                text.Append(Name(packet.Type)).Append('(');
                break;
        }

        return text.Append(')').ToString();
    }

    /// <summary>The line of a PUBLISH (<paramref name="topic"/> as resolved from a topic alias).</summary>
    public static string Publish(
        DateTimeOffset at, string? clientId, string? peer, bool inbound, string topic, QoS qos, bool retain, bool dup, ushort packetId,
        MqttProperties? properties, ReadOnlySequence<byte> payload, int preview) =>
        Publish(Start(at, clientId, peer, inbound), topic, qos, retain, dup, packetId, properties, payload, preview);

    /// <summary>The MQTT name of a packet type (<c>PUBLISH</c>, <c>PUBACK</c>, ...).</summary>
    public static string Name(MqttPacketType type) => type switch
    {
        MqttPacketType.ConnAck => "CONNACK",
        MqttPacketType.PubAck => "PUBACK",
        MqttPacketType.PubRec => "PUBREC",
        MqttPacketType.PubRel => "PUBREL",
        MqttPacketType.PubComp => "PUBCOMP",
        MqttPacketType.SubAck => "SUBACK",
        MqttPacketType.UnsubAck => "UNSUBACK",
        MqttPacketType.PingReq => "PINGREQ",
        MqttPacketType.PingResp => "PINGRESP",
        _ => type.ToString().ToUpperInvariant(),
    };

    /// <summary>
    /// A payload preview: at most <paramref name="max"/> bytes, as quoted text when valid UTF-8 without control
    /// characters other than tab, CR and LF (those escaped: <c>\t \r \n</c>, and <c>\\ \"</c>), else as hex; "..." when cut.
    /// A character cut by the preview size is left out (the preview still counts as text). Checked without exceptions.
    /// </summary>
    public static string Preview(ReadOnlySequence<byte> payload, int max)
    {
        var length = (int)Math.Min(payload.Length, max);
        var bytes = payload.Slice(0, length).ToArray();
        var cut = payload.Length > length;
        var text = Printable(bytes, cut);
        if (text is not null)
        {
            return new StringBuilder(text.Length + 8).Append('"').Escaped(text, quoted: true).Append('"').Append(cut ? "..." : "").ToString();
        }

        return "0x" + Convert.ToHexString(bytes) + (cut ? "..." : "");
    }

    /// <summary>
    /// Appends <paramref name="value"/> with every control character escaped (<c>\n \r \t</c>, others <c>\uXXXX</c>)
    /// and <c>\</c> doubled (and <c>"</c> escaped when <paramref name="quoted"/>), so nothing a client sends can break
    /// a trace line or forge another. A value with nothing to escape is appended as it is.
    /// </summary>
    internal static StringBuilder Escaped(this StringBuilder text, string? value, bool quoted = false)
    {
        if (value is null)
        {
            return text;
        }

        var i = 0;
        while (i < value.Length && !NeedsEscape(value[i], quoted))
        {
            i++;
        }

        if (i == value.Length)
        {
            return text.Append(value);
        }

        text.Append(value, 0, i);
        for (; i < value.Length; i++)
        {
            var c = value[i];
            if (!NeedsEscape(c, quoted))
            {
                text.Append(c);
                continue;
            }

            _ = c switch
            {
                '\\' => text.Append("\\\\"),
                '"' => text.Append("\\\""),
                '\n' => text.Append("\\n"),
                '\r' => text.Append("\\r"),
                '\t' => text.Append("\\t"),
                _ => text.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)),
            };
        }

        return text;
    }

    private static bool NeedsEscape(char c, bool quoted) => c == '\\' || (quoted && c == '"') || char.IsControl(c) || c is '\u2028' or '\u2029';

    private static StringBuilder Start(DateTimeOffset at, string? clientId, string? peer, bool inbound) =>
        new StringBuilder(160).Append(at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append(' ')
            .Escaped(clientId is { Length: > 0 } ? clientId : "-").Append('@').Escaped(peer ?? "-").Append(inbound ? " IN " : " OUT ");

    private static string Publish(
        StringBuilder text, string topic, QoS qos, bool retain, bool dup, ushort packetId, MqttProperties? properties, ReadOnlySequence<byte> payload, int preview)
    {
        text.Append("PUBLISH(Q").Append((int)qos).Append(", R").Append(retain ? 1 : 0).Append(", D").Append(dup ? 1 : 0)
            .Append(", Topic=").Escaped(topic);
        if (qos != QoS.AtMostOnce)
        {
            text.Append(", PacketId=").Append(packetId);
        }

        text.Append(", PayloadSize=").Append(payload.Length);
        if (preview > 0 && !payload.IsEmpty)
        {
            text.Append(", Payload=").Append(Preview(payload, preview));
        }

        Properties(text, properties);
        return text.Append(')').ToString();
    }

    private static void Properties(StringBuilder line, MqttProperties? p)
    {
        if (p is null)
        {
            return;
        }

        var text = new StringBuilder();
        Add(text, "PayloadFormatIndicator", p.PayloadFormatIndicator);
        Add(text, "MessageExpiryInterval", p.MessageExpiryInterval);
        Add(text, "ContentType", p.ContentType);
        Add(text, "ResponseTopic", p.ResponseTopic);
        Add(text, "CorrelationData", p.CorrelationData is { } correlation ? $"{correlation.Length} bytes" : null);
        Add(text, "SubscriptionIdentifiers", p.SubscriptionIdentifiers is { Count: > 0 } ids ? "[" + string.Join(", ", ids) + "]" : null);
        Add(text, "SessionExpiryInterval", p.SessionExpiryInterval);
        Add(text, "AssignedClientIdentifier", p.AssignedClientIdentifier);
        Add(text, "ServerKeepAlive", p.ServerKeepAlive);
        Add(text, "AuthenticationMethod", p.AuthenticationMethod);
        Add(text, "AuthenticationData", p.AuthenticationData is { } auth ? $"{auth.Length} bytes" : null);
        Add(text, "RequestProblemInformation", p.RequestProblemInformation);
        Add(text, "WillDelayInterval", p.WillDelayInterval);
        Add(text, "RequestResponseInformation", p.RequestResponseInformation);
        Add(text, "ResponseInformation", p.ResponseInformation);
        Add(text, "ServerReference", p.ServerReference);
        Add(text, "ReasonString", p.ReasonString);
        Add(text, "ReceiveMaximum", p.ReceiveMaximum);
        Add(text, "TopicAliasMaximum", p.TopicAliasMaximum);
        Add(text, "TopicAlias", p.TopicAlias);
        Add(text, "MaximumQoS", p.MaximumQoS);
        Add(text, "RetainAvailable", p.RetainAvailable);
        Add(text, "MaximumPacketSize", p.MaximumPacketSize);
        Add(text, "WildcardSubscriptionAvailable", p.WildcardSubscriptionAvailable);
        Add(text, "SubscriptionIdentifierAvailable", p.SubscriptionIdentifierAvailable);
        Add(text, "SharedSubscriptionAvailable", p.SharedSubscriptionAvailable);
        if (p.UserProperties is { Count: > 0 } user)
        {
            text.Append(", UserProperty=[");
            for (var i = 0; i < user.Count; i++)
            {
                text.Append(i == 0 ? "" : ", ").Escaped(user[i].Name).Append('=').Escaped(user[i].Value);
            }

            text.Append(']');
        }

        if (text.Length > 0)
        {
            line.Append(", Properties={").Append(text, 2, text.Length - 2).Append('}');
        }
    }

    private static void Add<T>(StringBuilder text, string name, T? value)
    {
        if (value is null)
        {
            return;
        }

        text.Append(", ").Append(name).Append('=').Escaped(Convert.ToString(value, CultureInfo.InvariantCulture));
    }

    private static string Hex(byte code) => "0x" + code.ToString("X2", CultureInfo.InvariantCulture);

    /// <summary>
    /// The bytes as text when they are valid UTF-8 without control characters other than tab, CR and LF; null when
    /// not. When <paramref name="cut"/>, an incomplete last character (cut by the preview size) is left out.
    /// </summary>
    private static string? Printable(byte[] bytes, bool cut)
    {
        if (Utf8.IsValid(bytes))
        {
            return Controls(Encoding.UTF8.GetString(bytes));
        }

        if (!cut)
        {
            return null;
        }

        // Valid up to an incomplete last character: isFinalBlock false reports it as NeedMoreData, not InvalidData.
        var chars = ArrayPool<char>.Shared.Rent(bytes.Length);
        try
        {
            var status = Utf8.ToUtf16(bytes, chars, out _, out var written, replaceInvalidSequences: false, isFinalBlock: false);
            return status == OperationStatus.NeedMoreData ? Controls(new string(chars, 0, written)) : null;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static string? Controls(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                return null;
            }
        }

        return text;
    }
}
