using System.Buffers;
using System.Globalization;
using System.Text;
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
                text.Append("CONNECT(Proto=").Append(c.ProtocolName).Append(", Ver=").Append((int)c.ProtocolVersion)
                    .Append(", CleanStart=").Append(c.CleanStart).Append(", KeepAlive=").Append(c.KeepAlive)
                    .Append(", ClientId=").Append(c.ClientId).Append(", Username=").Append(c.UserName ?? "undefined")
                    .Append(", Password=").Append(c.Password is null ? "undefined" : "******");
                if (c.Will is { } will)
                {
                    text.Append(", Will=(Q").Append((int)will.QoS).Append(", R").Append(will.Retain ? 1 : 0).Append(", Topic=").Append(will.Topic)
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
                    text.Append(i == 0 ? "" : ", ").Append(f.Filter).Append("(Q").Append((int)f.QoS).Append(", NL").Append(f.NoLocal ? 1 : 0)
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
                text.Append("UNSUBSCRIBE(PacketId=").Append(u.PacketId).Append(", TopicFilters=[").AppendJoin(", ", u.Filters).Append(']');
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

    /// <summary>A payload preview: at most <paramref name="max"/> bytes, as quoted text when printable UTF-8, else as hex; "..." when cut.</summary>
    public static string Preview(ReadOnlySequence<byte> payload, int max)
    {
        var length = (int)Math.Min(payload.Length, max);
        var bytes = payload.Slice(0, length).ToArray();
        var cut = payload.Length > length ? "..." : "";
        if (Printable(bytes, out var text))
        {
            return "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"" + cut;
        }

        return "0x" + Convert.ToHexString(bytes) + cut;
    }

    private static StringBuilder Start(DateTimeOffset at, string? clientId, string? peer, bool inbound) =>
        new StringBuilder(160).Append(at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append(' ')
            .Append(clientId is { Length: > 0 } ? clientId : "-").Append('@').Append(peer ?? "-").Append(inbound ? " IN " : " OUT ");

    private static string Publish(
        StringBuilder text, string topic, QoS qos, bool retain, bool dup, ushort packetId, MqttProperties? properties, ReadOnlySequence<byte> payload, int preview)
    {
        text.Append("PUBLISH(Q").Append((int)qos).Append(", R").Append(retain ? 1 : 0).Append(", D").Append(dup ? 1 : 0)
            .Append(", Topic=").Append(topic);
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
            Add(text, "UserProperty", "[" + string.Join(", ", user.Select(u => u.Name + "=" + u.Value)) + "]");
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

        text.Append(", ").Append(name).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture));
    }

    private static string Hex(byte code) => "0x" + code.ToString("X2", CultureInfo.InvariantCulture);

    private static bool Printable(byte[] bytes, out string text)
    {
        text = "";
        try
        {
            text = new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            // A preview cut inside a character is still text: the cut character is left out.
            if (bytes.Length < 4 || !TryTrimmed(bytes, out text))
            {
                return false;
            }
        }

        foreach (var c in text)
        {
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                return false;
            }
        }

        text = text.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
        return true;
    }

    private static bool TryTrimmed(byte[] bytes, out string text)
    {
        for (var cut = 1; cut <= 3; cut++)
        {
            try
            {
                text = new UTF8Encoding(false, true).GetString(bytes, 0, bytes.Length - cut);
                return true;
            }
            catch (DecoderFallbackException)
            {
            }
        }

        text = "";
        return false;
    }
}
