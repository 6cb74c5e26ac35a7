namespace RobustMq.Integration.Tests.Infrastructure;

/// <summary>One packet read off a raw socket: the first byte of the fixed header and the body.</summary>
public sealed record RawPacket(byte FirstByte, byte[] Body)
{
    public const int ConnAck = 2;
    public const int Publish = 3;
    public const int PubAck = 4;
    public const int PubRec = 5;
    public const int PubRel = 6;
    public const int PubComp = 7;
    public const int SubAck = 9;
    public const int UnsubAck = 11;
    public const int Disconnect = 14;

    public int Type => FirstByte >> 4;

    /// <summary>The DUP flag of a PUBLISH.</summary>
    public bool Dup => (FirstByte & 0x08) != 0;

    /// <summary>The QoS of a PUBLISH.</summary>
    public int QoS => (FirstByte >> 1) & 0x03;

    /// <summary>Session Present of a CONNACK.</summary>
    public bool SessionPresent => (Body[0] & 0x01) != 0;

    /// <summary>The topic name of a PUBLISH (empty when a topic alias stands in for it).</summary>
    public string Topic => System.Text.Encoding.UTF8.GetString(Body, 2, TopicLength);

    /// <summary>The packet identifier: after the topic for a PUBLISH, first in the body for acknowledgements.</summary>
    public ushort PacketId => Type == Publish
        ? (ushort)((Body[2 + TopicLength] << 8) | Body[3 + TopicLength])
        : (ushort)((Body[0] << 8) | Body[1]);

    /// <summary>The payload of a PUBLISH as text (<paramref name="level"/> says whether there are properties to skip).</summary>
    public string PayloadText(byte level)
    {
        var offset = PropertiesOffset;
        if (level == RawPackets.V5)
        {
            var propertiesLength = ReadVariableInt(ref offset);
            offset += propertiesLength;
        }

        return System.Text.Encoding.UTF8.GetString(Body, offset, Body.Length - offset);
    }

    /// <summary>The Topic Alias property of an MQTT 5 PUBLISH, or null.</summary>
    public ushort? TopicAlias()
    {
        var offset = PropertiesOffset;
        var end = ReadVariableInt(ref offset) + offset;
        while (offset < end)
        {
            var id = Body[offset++];
            switch (id)
            {
                case 0x01: offset += 1; break;                          // Payload Format Indicator
                case 0x02: offset += 4; break;                          // Message Expiry Interval
                case 0x03 or 0x08 or 0x09: offset += 2 + ReadUInt16(offset); break; // Content Type, Response Topic, Correlation Data
                case 0x0B: ReadVariableInt(ref offset); break;          // Subscription Identifier
                case 0x23: return ReadUInt16(offset);                   // Topic Alias
                case 0x26: offset += 2 + ReadUInt16(offset); offset += 2 + ReadUInt16(offset); break; // User Property
                default: throw new InvalidOperationException($"PUBLISH property 0x{id:x2} is not expected here: {this}");
            }
        }

        return null;
    }

    private int PropertiesOffset => 2 + TopicLength + (QoS > 0 ? 2 : 0);

    private ushort ReadUInt16(int offset) => (ushort)((Body[offset] << 8) | Body[offset + 1]);

    private int ReadVariableInt(ref int offset)
    {
        var value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var digit = Body[offset++];
            value |= (digit & 0x7F) << shift;
            if ((digit & 0x80) == 0)
            {
                return value;
            }
        }
    }

    private int TopicLength => (Body[0] << 8) | Body[1];

    /// <summary>
    /// The reason code of a CONNACK (return code on 3.1.1), of a DISCONNECT, or of a PUBACK, PUBREC, PUBREL or PUBCOMP
    /// (0 when omitted).
    /// </summary>
    public byte ReasonCode => Type switch
    {
        ConnAck => Body[1],
        PubAck or PubRec or PubRel or PubComp => Body.Length <= 2 ? (byte)0 : Body[2],
        Disconnect => Body.Length == 0 ? (byte)0 : Body[0],
        _ => throw new InvalidOperationException($"packet type {Type} has no single reason code"),
    };

    public override string ToString() => $"type {Type} (0x{FirstByte:x2}) [{Convert.ToHexString(Body)}]";
}
